"""Who may see whom: the scope every API selector reads. (Portal pages and reports are HR's,
plus each person's own page: web/portal/access.py.)

- HR admins see everyone and every context's aggregates.
- Managers see themselves and their reporting line as of today (`people.scope.reports_of`), and
  the aggregates of the contexts where at least MIN_GROUP_SIZE members in force today are in
  that line (`people.scope.context_ids_led_by`). Sharing a context gives no access.
- Employees see themselves only. Integrations see every person record (to map ids) but no
  aggregates.

Which fields of a person record each role receives is the table `PERSON_FIELDS_SEEN` below
(docs/api.md prints it): everyone receives every field of their own record.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from analytics.release import MIN_GROUP_SIZE
from people.models import Context, Person
from people.scope import context_ids_led_by, reports_of
from people.selectors import person_of
from people.services import today
from sociograph.accounts.roles import Role, role_of

# Fields of a person record as the API writes it (PersonSerializer's readable fields).
PERSON_FIELDS = (
    "uuid",
    "external_id",
    "name",
    "email",
    "title",
    "manager",
    "is_active",
    "joined_on",
    "left_on",
    "analytics_opt_out",
    "created_at",
    "updated_at",
)
# Every role that sees another record gets the fields the API contract requires of it
# (uuid, external_id, name, created_at, updated_at).
_DIRECTORY = frozenset(
    {"uuid", "external_id", "name", "title", "manager", "is_active", "created_at", "updated_at"}
)

# Role -> fields of *other* people's records the role receives. E-mail and the analytics
# opt-out are HR's: a manager does not learn who opted out, an integration writes e-mail but
# never reads it back. Employees see no other record at all.
PERSON_FIELDS_SEEN: dict[Role, frozenset[str]] = {
    Role.HR_ADMIN: frozenset(PERSON_FIELDS),
    Role.MANAGER: _DIRECTORY,
    Role.INTEGRATION: _DIRECTORY | {"joined_on", "left_on"},
    Role.EMPLOYEE: frozenset(),
}


def people_in_scope(user: Any) -> QuerySet[Person]:
    """The person records the user may read."""
    people = Person.objects.select_related("manager")
    role, person = role_of(user), person_of(user)
    if role in (Role.HR_ADMIN, Role.INTEGRATION):
        return people
    if person is None:
        return people.none()
    if role == Role.MANAGER:
        return people.filter(Q(pk=person.pk) | Q(pk__in=reports_of(person, today()).values("pk")))
    return people.filter(pk=person.pk)


def aggregate_context_ids(user: Any) -> QuerySet[Context, int]:
    """Ids of the contexts whose aggregates (metrics, findings) the user may read."""
    role, person = role_of(user), person_of(user)
    contexts = Context.objects.values_list("pk", flat=True)
    if role == Role.HR_ADMIN:
        return contexts
    if role == Role.MANAGER and person is not None:
        return contexts.filter(pk__in=context_ids_led_by(person, today(), MIN_GROUP_SIZE))
    return contexts.none()


def person_fields_seen(user: Any, person: Person) -> frozenset[str]:
    """Fields of `person`'s record the user receives: all of their own, else the table's."""
    own = person_of(user)
    if own is not None and own.pk == person.pk:
        return frozenset(PERSON_FIELDS)
    role = role_of(user)
    return PERSON_FIELDS_SEEN[role] if role is not None else frozenset()
