"""Writes about people, contexts and memberships. Every write records its outbox entry in the
same transaction, so the Neo4j projection cannot miss it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from people.history import forget_admin_history
from people.models import (
    Context,
    IdentitySource,
    Membership,
    OptOutChange,
    Person,
    PersonIdentity,
)
from people.periods import dates_problem, derived_is_active, describe_period, periods_overlap
from people.signals import person_erased
from sociograph.graph.outbox import delete_with_outbox, record_change
from sociograph.ingest.bulk import insert_rows

ContextKey = tuple[str, str]
UPDATE_CHUNK = 2000


@dataclass(frozen=True)
class PersonInput:
    external_id: str
    name: str
    email: str = ""
    title: str = ""
    contexts: tuple[ContextKey, ...] = ()
    joined_on: date | None = None  # None: keep the stored date
    left_on: date | None = None  # None: keep the stored date


@dataclass
class PeopleOutcome:
    created: int = 0
    updated: int = 0  # their fields or their memberships changed
    unchanged: int = 0
    by_external_id: dict[str, Person] = field(default_factory=dict)


@dataclass(frozen=True)
class MembershipSync:
    """How the contexts listed for people become membership periods on the day `as_of`."""

    as_of: date
    end_missing: bool = False  # end their periods in force in contexts no longer listed


def today() -> date:
    return timezone.localdate()


def ensure_contexts(keys: Iterable[ContextKey]) -> dict[ContextKey, Context]:
    """The contexts with these (kind, name) keys, creating the missing ones."""
    wanted = set(keys)
    if not wanted:
        return {}
    found = {
        (context.kind, context.name): context
        for context in Context.objects.filter(name__in={name for _, name in wanted})
        if (context.kind, context.name) in wanted
    }
    missing = [Context(kind=kind, name=name) for kind, name in sorted(wanted - found.keys())]
    if missing:
        Context.objects.bulk_create(missing)
        record_change(Context, [context.uuid for context in missing])
        found.update({(context.kind, context.name): context for context in missing})
    return found


def _apply_fields(person: Person, data: PersonInput, on: date) -> bool:
    """Copy the given fields (dates only when given); `is_active` follows `left_on`."""
    changed = False
    for name in ("name", "email", "title", "joined_on", "left_on"):
        value = getattr(data, name)
        if value is None or getattr(person, name) == value:
            continue
        setattr(person, name, value)
        changed = True
    problem = dates_problem(person.joined_on, person.left_on)
    if problem:
        raise ValueError(f"{problem} ({person.external_id})")
    active = derived_is_active(person.left_on, person.is_active, on)
    if active != person.is_active:
        person.is_active = active
        changed = True
    return changed


@dataclass(frozen=True)
class _Period:
    pk: int
    uuid: str
    context_id: int
    since: date | None
    until: date | None

    def in_force(self, day: date) -> bool:
        return periods_overlap(self.since, self.until, day, day)


def _periods_of(person_ids: Iterable[int]) -> dict[int, list[_Period]]:
    periods: dict[int, list[_Period]] = defaultdict(list)
    rows = Membership.objects.filter(person_id__in=set(person_ids)).values_list(
        "pk", "uuid", "person_id", "context_id", "since", "until"
    )
    for pk, uuid, person_id, context_id, since, until in rows:
        periods[person_id].append(_Period(pk, str(uuid), context_id, since, until))
    return periods


def _needs_new_period(periods: list[_Period], as_of: date) -> bool:
    """A listed context needs a period unless one is in force on `as_of` or starts later."""
    return all(period.until is not None and period.until < as_of for period in periods)


@dataclass
class _MembershipPlan:
    new: list[tuple[int, int, date | None]] = field(default_factory=list)
    ended: list[_Period] = field(default_factory=list)
    dropped: list[_Period] = field(default_factory=list)  # would end before they began
    people: set[int] = field(default_factory=set)

    def start(self, person_id: int, context_id: int, periods: list[_Period], as_of: date) -> None:
        # a first-ever membership has no known start; one after ended periods starts `as_of`
        self.new.append((person_id, context_id, as_of if periods else None))
        self.people.add(person_id)

    def end(self, person_id: int, period: _Period, as_of: date) -> None:
        (self.dropped if period.since == as_of else self.ended).append(period)
        self.people.add(person_id)


def _plan_memberships(wanted: dict[int, set[int]], sync: MembershipSync) -> _MembershipPlan:
    plan = _MembershipPlan()
    periods_by_person = _periods_of(wanted)
    for person_id, contexts in wanted.items():
        periods = periods_by_person[person_id]
        for context_id in sorted(contexts):
            here = [period for period in periods if period.context_id == context_id]
            if _needs_new_period(here, sync.as_of):
                plan.start(person_id, context_id, here, sync.as_of)
        if not sync.end_missing:
            continue
        for period in periods:
            if period.context_id not in contexts and period.in_force(sync.as_of):
                plan.end(person_id, period, sync.as_of)
    return plan


def _write_plan(plan: _MembershipPlan, as_of: date) -> None:
    identities = [uuid4() for _ in plan.new]
    now = timezone.now()
    insert_rows(
        Membership,
        ("uuid", "person", "context", "role", "since", "created_at"),
        (
            (identity, person_id, context_id, "", since, now)
            for identity, (person_id, context_id, since) in zip(identities, plan.new, strict=True)
        ),
    )
    record_change(Membership, identities)
    if plan.ended:
        ended = Membership.objects.filter(pk__in=[period.pk for period in plan.ended])
        ended.update(until=as_of - timedelta(days=1))
        record_change(Membership, [period.uuid for period in plan.ended])
    if plan.dropped:
        delete_with_outbox(*Membership.objects.filter(pk__in=[p.pk for p in plan.dropped]))


def sync_memberships(wanted: dict[int, set[int]], sync: MembershipSync) -> set[int]:
    """Person pk -> the context pks listed for them. A period starts where none is in force (or
    to come); with `end_missing`, their periods in force in other contexts end the day before
    `as_of` (one starting on `as_of` is removed). Returns the pks of the people changed."""
    plan = _plan_memberships(wanted, sync)
    _write_plan(plan, sync.as_of)
    return plan.people


@transaction.atomic
def upsert_people(inputs: list[PersonInput], sync: MembershipSync | None = None) -> PeopleOutcome:
    """Create or update people by external_id, with their contexts and memberships (see
    `sync_memberships`; by default as of today, nothing ended). `is_active` follows `left_on`.
    Employment dates that cannot be stored are a ValueError naming the person."""
    sync = sync or MembershipSync(as_of=today())
    outcome = PeopleOutcome()
    contexts = ensure_contexts(key for data in inputs for key in data.contexts)
    existing = Person.objects.in_bulk(
        [data.external_id for data in inputs], field_name="external_id"
    )
    new, changed, unchanged = [], [], []
    on = today()
    for data in inputs:
        person = existing.get(data.external_id)
        if person is None:
            person = Person(external_id=data.external_id)
            _apply_fields(person, data, on)
            new.append(person)
        elif _apply_fields(person, data, on):
            changed.append(person)
        else:
            unchanged.append(person)
        outcome.by_external_id[data.external_id] = person
    Person.objects.bulk_create(new)
    now = timezone.now()
    for person in changed:
        person.updated_at = now
    fields = ["name", "email", "title", "joined_on", "left_on", "is_active", "updated_at"]
    Person.objects.bulk_update(changed, fields, batch_size=500)
    record_change(Person, [person.uuid for person in new + changed])
    wanted = {
        outcome.by_external_id[data.external_id].pk: {contexts[key].pk for key in data.contexts}
        for data in inputs
    }
    touched = sync_memberships(wanted, sync)
    moved = sum(1 for person in unchanged if person.pk in touched)
    outcome.created, outcome.updated = len(new), len(changed) + moved
    outcome.unchanged = len(unchanged) - moved
    return outcome


@transaction.atomic
def leave_absent_people(present: set[str], left_on: date) -> int:
    """People whose external_id is not in `present` and who have no `left_on` get this one
    (unless they join on or after it). Returns how many."""
    candidates = Person.objects.filter(left_on__isnull=True).exclude(joined_on__gte=left_on)
    pks = [pk for pk, key in candidates.values_list("pk", "external_id") if key not in present]
    active = derived_is_active(left_on, True, today())
    now = timezone.now()
    for start in range(0, len(pks), UPDATE_CHUNK):
        chunk = Person.objects.filter(pk__in=pks[start : start + UPDATE_CHUNK])
        chunk.update(left_on=left_on, is_active=active, updated_at=now)
        record_change(Person, chunk.values_list("uuid", flat=True))
    return len(pks)


@transaction.atomic
def deactivate_departed(on: date | None = None) -> int:
    """People still active whose `left_on` has come become inactive. Returns how many."""
    departed = Person.objects.filter(is_active=True, left_on__lte=on or today())
    uuids = list(departed.values_list("uuid", flat=True))
    Person.objects.filter(uuid__in=uuids).update(is_active=False, updated_at=timezone.now())
    record_change(Person, uuids)
    return len(uuids)


def would_create_cycle(person_id: int, manager_id: int, managers: dict[int, int | None]) -> bool:
    """True when making `manager_id` the manager of `person_id` closes a loop."""
    seen = {person_id}
    current: int | None = manager_id
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = managers.get(current)
    return False


@transaction.atomic
def set_managers(assignments: dict[int, int | None]) -> list[int]:
    """Set person -> manager (by pk). Returns the person ids refused because of a cycle."""
    managers: dict[int, int | None] = dict(Person.objects.values_list("pk", "manager_id"))
    refused, changed = [], []
    for person_id, manager_id in assignments.items():
        if manager_id is not None and would_create_cycle(person_id, manager_id, managers):
            refused.append(person_id)
            continue
        if managers.get(person_id) != manager_id:
            managers[person_id] = manager_id
            changed.append(person_id)
    by_manager: dict[int | None, list[int]] = defaultdict(list)
    for person_id in changed:
        by_manager[managers[person_id]].append(person_id)
    now = timezone.now()
    for manager_id, person_ids in by_manager.items():  # one UPDATE per manager, not per person
        Person.objects.filter(pk__in=person_ids).update(manager_id=manager_id, updated_at=now)
    record_change(Person, Person.objects.filter(pk__in=changed).values_list("uuid", flat=True))
    return refused


@transaction.atomic
def erase_person(person: Person) -> None:
    """Right to be forgotten: the person and every edge they are part of, in SQL and in Neo4j.

    SQL cascades remove their memberships, recognitions, follows and interactions and clear them
    as anyone's manager; every row so touched goes to the outbox, so the relay removes the same
    from Neo4j. Mining results about them go with them, and so does the admin's history of them.
    """
    person_uuid = person.uuid
    forget_admin_history(person)  # their name and id in the admin's "Recent actions"
    delete_with_outbox(person)
    person_erased.send(sender=Person, person_uuid=person_uuid)


PERSON_FIELDS = (
    "name",
    "email",
    "title",
    "is_active",
    "analytics_opt_out",
    "joined_on",
    "left_on",
)


REPORTING_LOOP = "this would make a reporting loop"
PARENT_LOOP = "this would make a loop of parent contexts"


def closes_reporting_loop(person: Person, manager: Person | None) -> bool:
    """True when `manager` as the manager of `person` closes a loop (A manages B manages A),
    following the stored reporting line upwards from `manager`."""
    if manager is None or person.pk is None:
        return False
    managers: dict[int, int | None] = {}
    current: int | None = manager.pk
    while current is not None and current != person.pk and current not in managers:
        above = Person.objects.filter(pk=current).values_list("manager_id", flat=True)
        managers[current] = above.first()
        current = managers[current]
    return would_create_cycle(person.pk, manager.pk, managers)


@transaction.atomic
def save_person(person: Person) -> Person:
    """Store a new or changed person (as a form left it): no reporting loop (a ValueError naming
    `manager`), employment dates that can be stored, `is_active` following `left_on`. Records the
    change for the projection."""
    if closes_reporting_loop(person, person.manager):
        raise ValueError(f"manager: {REPORTING_LOOP}")
    problem = dates_problem(person.joined_on, person.left_on)
    if problem:
        raise ValueError(problem)
    person.is_active = derived_is_active(person.left_on, person.is_active, today())
    person.save()
    record_change(Person, [person.uuid])
    return person


@transaction.atomic
def update_person(person: Person, changes: dict[str, object]) -> Person:
    """Change some of PERSON_FIELDS and `manager` (a Person or None), through `save_person`."""
    unknown = set(changes) - {*PERSON_FIELDS, "manager"}
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(person, name, value)
    return save_person(person)


@transaction.atomic
def link_user(person: Person, user: Any) -> Person:
    """Make `user` the login of `person` (and of no other person). Not projected."""
    Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
    person.user = user
    person.save(update_fields=["user"])
    return person


def is_the_person(person: Person, user: Any) -> bool:
    return user is not None and person.user_id is not None and person.user_id == user.pk


def opt_out_reason_problem(person: Person, user: Any, reason: str) -> str | None:
    """Anyone but the person changes `analytics_opt_out` only with a written reason."""
    if is_the_person(person, user) or reason.strip():
        return None
    return (
        "opt_out_reason: only the person changes analytics_opt_out; on their written request "
        "an HR admin gives it here"
    )


def record_opt_out_change(person: Person, user: Any, reason: str = "") -> OptOutChange:
    """Audit the person's current `analytics_opt_out`, as set by `user`."""
    return OptOutChange.objects.create(
        person=person,
        opted_out=person.analytics_opt_out,
        by_the_person=is_the_person(person, user),
        changed_by=user,
        changed_by_username=user.get_username() if user is not None else "",
        reason=reason.strip(),
    )


@transaction.atomic
def set_analytics_opt_out(person: Person, opted_out: bool, user: Any, reason: str = "") -> Person:
    """The person (their `user`) opts in or out; anyone else needs `reason` (ValueError
    naming `opt_out_reason` without one). Each change is recorded in OptOutChange."""
    if person.analytics_opt_out == opted_out:
        return person
    problem = opt_out_reason_problem(person, user, reason)
    if problem:
        raise ValueError(problem)
    update_person(person, {"analytics_opt_out": opted_out})
    record_opt_out_change(person, user, reason)
    return person


def closes_parent_loop(context: Context, parent: Context | None) -> bool:
    """True when `parent` as the parent of `context` closes a loop of parent contexts."""
    seen: set[int] = set()
    ancestor = parent
    while ancestor is not None and context.pk is not None:
        if ancestor.pk == context.pk or ancestor.pk in seen:
            return True
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    return False


@transaction.atomic
def save_context(context: Context) -> Context:
    """Store a new or changed context (as a form left it): no loop of parents (a ValueError
    naming `parent`), a unique kind:name. Records the change for the projection."""
    if closes_parent_loop(context, context.parent):
        raise ValueError(f"parent: {PARENT_LOOP}")
    context.full_clean(validate_unique=True, validate_constraints=True)
    context.save()
    record_change(Context, [context.uuid])
    return context


@transaction.atomic
def update_context(context: Context, changes: dict[str, object]) -> Context:
    """Change `name` and/or `parent` (a Context or None), through `save_context`."""
    for name, value in changes.items():
        setattr(context, name, value)
    return save_context(context)


@transaction.atomic
def delete_contexts(*contexts: Context) -> None:
    """Delete contexts with what cascades from them (memberships, follows), in the outbox."""
    if contexts:
        delete_with_outbox(*contexts)


def overlapping_period(
    membership: Membership, periods: Iterable[Membership] | None = None
) -> Membership | None:
    """Another period of the same person in the same context sharing a day with this one (among
    `periods`, by default those in the database)."""
    if periods is None:
        periods = Membership.objects.filter(
            person_id=membership.person_id, context_id=membership.context_id
        ).order_by("since")
    for other in periods:
        if other is membership or (other.pk is not None and other.pk == membership.pk):
            continue
        if periods_overlap(membership.since, membership.until, other.since, other.until):
            return other
    return None


def overlap_message(membership: Membership, other: Membership) -> str:
    return (
        f"{describe_period(membership.since, membership.until)} overlaps "
        f"{describe_period(other.since, other.until)} of {membership.person.external_id} "
        f"in {membership.context.key}"
    )


def validate_membership_period(
    membership: Membership, periods: Iterable[Membership] | None = None
) -> None:
    """Periods of one person in one context never overlap: a ValidationError on `since` naming
    the conflicting period."""
    other = overlapping_period(membership, periods)
    if other is not None:
        raise ValidationError({"since": overlap_message(membership, other)})


@transaction.atomic
def save_memberships(saved: Sequence[Membership], deleted: Sequence[Membership] = ()) -> None:
    """Delete the `deleted` periods and store the `saved` ones (new or changed, as a form left
    them) at once: checked once all are written, so two rows may swap their dates; an overlap is
    a ValidationError on `since` and nothing is kept. Records the changes for the projection."""
    delete_memberships(*deleted)
    for membership in saved:
        membership.full_clean()
        membership.save()
    for membership in saved:
        validate_membership_period(membership)
    record_change(Membership, [membership.uuid for membership in saved])


def add_membership(person: Person, context: Context, **fields: object) -> Membership:
    membership = Membership(person=person, context=context, **fields)
    save_memberships([membership])
    return membership


def update_membership(membership: Membership, changes: dict[str, object]) -> Membership:
    for name, value in changes.items():
        setattr(membership, name, value)
    save_memberships([membership])
    return membership


@transaction.atomic
def delete_memberships(*memberships: Membership) -> None:
    if memberships:
        delete_with_outbox(*memberships)


@dataclass(frozen=True)
class PeriodInput:
    """One membership period as imported; the context is created if missing."""

    person_id: int
    context: ContextKey
    role: str
    since: date | None
    until: date | None


@transaction.atomic
def write_membership_periods(new: list[PeriodInput], changed: dict[int, PeriodInput]) -> None:
    """Create the `new` periods and set role and until of the `changed` ones (by pk). The caller
    has checked that no two periods of a person in a context overlap."""
    contexts = ensure_contexts(period.context for period in new)
    created = [
        Membership(
            person_id=period.person_id,
            context=contexts[period.context],
            role=period.role,
            since=period.since,
            until=period.until,
        )
        for period in new
    ]
    Membership.objects.bulk_create(created)
    updated = Membership.objects.in_bulk(list(changed))
    for pk, membership in updated.items():
        membership.role, membership.until = changed[pk].role, changed[pk].until
    Membership.objects.bulk_update(list(updated.values()), ["role", "until"], batch_size=500)
    record_change(Membership, [m.uuid for m in [*created, *updated.values()]])


@transaction.atomic
def save_identity(identity: PersonIdentity) -> PersonIdentity:
    """Store an identifier of a person in another system; e-mail addresses lower-case."""
    if identity.source == IdentitySource.EMAIL:
        identity.identifier = identity.identifier.strip().lower()
    identity.full_clean()
    identity.save()
    return identity


@transaction.atomic
def delete_identities(*identities: PersonIdentity) -> None:
    PersonIdentity.objects.filter(pk__in=[identity.pk for identity in identities]).delete()


@dataclass(frozen=True)
class Absorbed:
    identities: int
    memberships: int
    reports: int
    reports_refused: list[int]


@transaction.atomic
def absorb_person(absorbed: Person, keep: Person) -> Absorbed:
    """Give `keep` what is `absorbed`'s in this app: identities, membership periods that do not
    overlap keep's own in the same context, and their reports (unless that closes a reporting
    loop); then erase `absorbed`. Their events must have been moved first (recognition's
    move_events): erasure deletes what is still theirs."""
    if absorbed.pk == keep.pk:
        raise ValidationError("a person cannot be merged into themselves")
    identities = PersonIdentity.objects.filter(person=absorbed).update(person=keep)
    if absorbed.email:  # their address keeps resolving, to the person who stays
        PersonIdentity.objects.get_or_create(
            source=IdentitySource.EMAIL,
            identifier=absorbed.email.strip().lower(),
            defaults={"person": keep},
        )
    moved = _move_periods(absorbed, keep)
    reports = list(
        Person.objects.filter(manager=absorbed).exclude(pk=keep.pk).values_list("pk", flat=True)
    )
    refused = set_managers(dict.fromkeys(reports, keep.pk))
    erase_person(absorbed)
    return Absorbed(identities, moved, len(reports) - len(refused), refused)


def _move_periods(absorbed: Person, keep: Person) -> int:
    kept = list(Membership.objects.filter(person=keep))
    movable = [
        period
        for period in Membership.objects.filter(person=absorbed)
        if not any(
            other.context_id == period.context_id
            and periods_overlap(other.since, other.until, period.since, period.until)
            for other in kept
        )
    ]
    Membership.objects.filter(pk__in=[period.pk for period in movable]).update(person=keep)
    record_change(Membership, [period.uuid for period in movable])
    return len(movable)


@transaction.atomic
def set_context_members(
    context: Context, joining: Iterable[int], leaving: Iterable[int], on: date
) -> set[int]:
    """People (by pk) `joining` the context get a period from `on` unless one is in force then
    (or to come); the periods in force on `on` of those `leaving` end the day before (one
    starting on `on` is removed). Returns the pks of the people changed."""
    plan = _MembershipPlan()
    leaving = set(leaving) - set(joining)
    periods_by_person = _periods_of({*joining, *leaving})
    for person_id in sorted(set(joining)):
        here = [p for p in periods_by_person[person_id] if p.context_id == context.pk]
        if _needs_new_period(here, on):
            plan.new.append((person_id, context.pk, on))
            plan.people.add(person_id)
    for person_id in sorted(leaving):
        for period in periods_by_person[person_id]:
            if period.context_id == context.pk and period.in_force(on):
                plan.end(person_id, period, on)
    _write_plan(plan, on)
    return plan.people
