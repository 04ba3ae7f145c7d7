"""Reads of the people app that other layers share (SQL only). Who counts on a day is the rule of
`people.roster`: employed that day, and for a context a membership in force that day; people who
opted out of analytics are left out where noted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from people import roster
from people.models import Context, ContextKind, IdentitySource, Membership, Person

LEAD_ROLE = "lead"  # Membership.role of a context's appointed leader (compared case-insensitively)


def person_of(user: Any) -> Person | None:
    """The person a manager or employee acts as (None when the user is linked to nobody)."""
    try:
        person: Person = user.person
    except (AttributeError, Person.DoesNotExist):
        return None
    return person


def analysed_people() -> QuerySet[Person]:
    return Person.objects.filter(analytics_opt_out=False)


def present_on(day: date) -> QuerySet[Person]:
    """People employed on `day` who did not opt out of analytics."""
    return analysed_people().filter(roster.employed_on_q(day))


def memberships_on(context: Context, day: date) -> QuerySet[Membership]:
    """The context's memberships in force on `day`, of people employed that day, not opted out."""
    in_force = Membership.objects.filter(roster.membership_in_force_q(day), context=context)
    return in_force.filter(person__analytics_opt_out=False)


def members_on(context: Context, day: date) -> QuerySet[Person]:
    """The context's members on `day` (employed then, not opted out)."""
    return Person.objects.filter(pk__in=memberships_on(context, day).values("person_id"))


def lead_role_holders(context: Context, day: date) -> frozenset[int]:
    """Members holding the context's lead role on `day`."""
    holders = memberships_on(context, day).filter(role__iexact=LEAD_ROLE)
    return frozenset(holders.values_list("person_id", flat=True))


def teams_among(members: QuerySet[Person]) -> dict[int, frozenset[int]]:
    """Each member who is the formal manager of other members -> those members."""
    teams: dict[int, set[int]] = defaultdict(set)
    for manager, report in members.filter(manager__in=members).values_list("manager_id", "pk"):
        teams[manager].add(report)
    return {manager: frozenset(team) for manager, team in teams.items()}


def contexts_of(person: Person) -> QuerySet[Context]:
    """Every context the person was ever a member of, each once (the person's record)."""
    return Context.objects.filter(memberships__person=person).distinct()


def team_names_on(people: Collection[int], day: date) -> dict[int, str]:
    """Each person's team on `day`; the alphabetically first when in several."""
    rows = (
        Membership.objects.filter(
            roster.membership_in_force_q(day), person_id__in=people, context__kind=ContextKind.TEAM
        )
        .order_by("-context__name")
        .values_list("person_id", "context__name")
    )
    return dict(rows)  # later rows win: the first name in alphabetical order


def person_with_uuid(identifier: str) -> Person | None:
    """The person whose uuid is `identifier` (None for anything else, a malformed one too)."""
    try:
        return Person.objects.select_related("manager").filter(uuid=identifier).first()
    except ValidationError:
        return None


def context_with_uuid(identifier: str) -> Context | None:
    try:
        return Context.objects.filter(uuid=identifier).first()
    except ValidationError:
        return None


def people_with_user_name(user_name: str) -> QuerySet[Person]:
    """People whose SCIM user name is `user_name` (case-insensitive), and people never
    provisioned whose e-mail address it is (how an identity provider finds people HR imported)."""
    provisioned = Person.objects.filter(identities__source=IdentitySource.SCIM)
    named = Q(identities__source=IdentitySource.SCIM, identities__identifier__iexact=user_name)
    unprovisioned = Q(email__iexact=user_name) & ~Q(pk__in=provisioned.values("pk"))
    return Person.objects.filter(named | unprovisioned).distinct()


def members_in_force(context: Context, day: date) -> QuerySet[Person]:
    """Everyone with a period in force on `day` in the context (opted out or not)."""
    in_force = Membership.objects.filter(roster.membership_in_force_q(day), context=context)
    return Person.objects.filter(pk__in=in_force.values("person_id")).order_by("pk")
