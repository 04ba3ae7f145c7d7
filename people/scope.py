"""A manager's scope: their reporting line as of a day, and the contexts where enough of it
works. Role-aware callers (API selectors, portal) read it through `web.api.scope`.

- The reporting line is the formal one (`Person.manager`), followed down transitively: direct
  and indirect reports employed on the day. It is read by one recursive query (cycle-safe: a
  row reached twice is not followed again), usable as a subquery of any Person queryset.
- A context is in the manager's scope when at least `at_least` of its members in force on the
  day (see `people.roster.membership_in_force_q`) are in the reporting line and not opted out of
  analytics. An ended membership, the manager's own included, gives no access.
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.expressions import RawSQL

from people.models import Membership, Person
from people.roster import employed_on_q, membership_in_force_q


def _line_sql() -> str:
    """Ids of everyone below the person `%s` in the formal line. UNION (not UNION ALL) drops
    rows already reached, so a loop of managers ends the recursion."""
    quote = connection.ops.quote_name
    table = quote(Person._meta.db_table)
    manager = quote(Person._meta.get_field("manager").column)
    return (
        f"WITH RECURSIVE line(id) AS ("  # noqa: S608 - table and column names from the model
        f" SELECT id FROM {table} WHERE {manager} = %s"
        f" UNION SELECT p.id FROM {table} p JOIN line ON p.{manager} = line.id"
        f") SELECT id FROM line"
    )


def reports_of(person: Person, day: date) -> QuerySet[Person]:
    """The person's direct and indirect reports employed on `day` (never the person)."""
    below = RawSQL(_line_sql(), (person.pk,))  # noqa: S611 - the only parameter is bound
    return Person.objects.filter(employed_on_q(day), pk__in=below).exclude(pk=person.pk)


def context_ids_led_by(person: Person, day: date, at_least: int) -> QuerySet[Membership, int]:
    """Ids of the contexts where at least `at_least` members in force on `day` report to the
    person (directly or not) and take part in analytics."""
    in_force = Membership.objects.filter(
        membership_in_force_q(day),
        person__in=reports_of(person, day).values("pk"),
        person__analytics_opt_out=False,
    )
    counted = in_force.values("context_id").annotate(reports=Count("person_id", distinct=True))
    return counted.filter(reports__gte=at_least).values_list("context_id", flat=True)
