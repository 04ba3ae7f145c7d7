"""What each role may read: querysets narrowed to the caller's own data, and metric rows with
the privacy rules applied. Views read only through these."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeAlias, overload

from django.db.models import Q, QuerySet

from analytics.models import Finding, MiningRun
from analytics.release import release_of
from analytics.selectors import findings_of
from people.models import Context, Membership, Person
from people.selectors import person_of
from recognition.models import Follow, Interaction, Recognition
from sociograph.accounts.roles import Role, role_of
from web.api.scope import aggregate_context_ids, people_in_scope

EventModel: TypeAlias = Recognition | Follow | Interaction

# Per event model: the fields holding its two people.
EVENT_ENDS: dict[type[EventModel], tuple[str, str]] = {
    Recognition: ("giver", "receiver"),
    Follow: ("follower", "leader"),
    Interaction: ("source", "target"),
}


def people_for(user: Any) -> QuerySet[Person]:
    return people_in_scope(user)


def memberships_for(user: Any) -> QuerySet[Membership]:
    """Memberships (every period) of the people the caller may see."""
    memberships = Membership.objects.select_related("person", "context")
    if role_of(user) in (Role.HR_ADMIN, Role.INTEGRATION):
        return memberships
    return memberships.filter(person__in=people_in_scope(user).values("pk"))


def events_for(model: type[EventModel], user: Any) -> QuerySet[Any]:
    """HR admins read every event; managers and employees the recognitions and follows they
    gave or received; nobody else reads events (integrations only write them)."""
    start, end = EVENT_ENDS[model]
    events = model.objects.select_related(start, end, "context")
    role, person = role_of(user), person_of(user)
    if role == Role.HR_ADMIN:
        return events
    if role in (Role.MANAGER, Role.EMPLOYEE) and person is not None and model is not Interaction:
        return events.filter(Q(**{start: person}) | Q(**{end: person}))
    return events.none()


def contexts_for(user: Any) -> QuerySet[Context]:
    return Context.objects.select_related("parent")


def withheld_context_ids(run: MiningRun) -> set[int]:
    """Contexts whose aggregates the release rule (analytics.release) withholds in the run."""
    return release_of(run).withheld_context_ids


RowMaker = Callable[[tuple[Any, ...]], dict[str, Any]]


class MetricRows(Sequence[dict[str, Any]]):
    """Metric rows in export order (person, context, org), read from SQL a page at a time:
    slicing runs LIMIT/OFFSET queries on the parts it spans, so a page of a large run costs the
    same as the first page."""

    def __init__(self, parts: list[tuple[QuerySet[Any, tuple[Any, ...]], RowMaker]]) -> None:
        self.parts = parts
        self._sizes: list[int] | None = None

    def sizes(self) -> list[int]:
        if self._sizes is None:
            self._sizes = [rows.count() for rows, _ in self.parts]
        return self._sizes

    def __len__(self) -> int:
        return sum(self.sizes())

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop, _ = index.indices(len(self))
        page: list[dict[str, Any]] = []
        for (rows, make), size in zip(self.parts, self.sizes(), strict=True):
            if start < size and stop > 0:
                page += [make(values) for values in rows[max(start, 0) : min(stop, size)]]
            start, stop = start - size, stop - size
        return page

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for rows, make in self.parts:
            for values in rows.iterator():
                yield make(values)


def metrics_for(
    user: Any, run: MiningRun, scope: str = "", metric: str = "", subject: str = ""
) -> MetricRows:
    """Metric rows the caller may see. Context and org aggregates the release rule withholds come
    back with `withheld: true` and no value, except for HR admins."""
    role, person = role_of(user), person_of(user)
    everything = role == Role.HR_ADMIN
    parts: list[tuple[QuerySet[Any, tuple[Any, ...]], RowMaker]] = []
    if not everything and person is None:
        return MetricRows(parts)
    if scope in ("", "person"):
        parts.append(_person_metrics(run, None if everything else person, metric, subject))
    if role != Role.EMPLOYEE and scope in ("", "context"):
        parts.append(_context_metrics(run, user, metric, subject))
    if role != Role.EMPLOYEE and scope in ("", "org") and subject in ("", "org"):
        org = run.org_metrics.filter(metric=metric) if metric else run.org_metrics.all()
        org_withheld = not everything and not release_of(run).org_released
        parts.append(
            (
                org.order_by("metric").values_list("metric", "value"),
                lambda values: _row("org", "org", values[0], values[1], withheld=org_withheld),
            )
        )
    return MetricRows(parts)


def _person_metrics(
    run: MiningRun, only: Person | None, metric: str, subject: str
) -> tuple[QuerySet[Any, tuple[Any, ...]], RowMaker]:
    rows = run.person_metrics.filter(person__analytics_opt_out=False)
    if only is not None:
        rows = rows.filter(person=only)
    if metric:
        rows = rows.filter(metric=metric)
    if subject:
        rows = rows.filter(person__external_id=subject)
    ordered = rows.order_by("person__external_id", "metric", "id")
    return (
        ordered.values_list("person__external_id", "metric", "value"),
        lambda values: _row("person", *values),
    )


def _context_metrics(
    run: MiningRun, user: Any, metric: str, subject: str
) -> tuple[QuerySet[Any, tuple[Any, ...]], RowMaker]:
    everything = role_of(user) == Role.HR_ADMIN
    rows = run.context_metrics.all()
    if not everything:
        rows = rows.filter(context_id__in=aggregate_context_ids(user))
    if metric:
        rows = rows.filter(metric=metric)
    if subject:
        kind, _, name = subject.partition(":")
        rows = rows.filter(context__kind=kind, context__name=name)
    withheld = set() if everything else withheld_context_ids(run)

    def make(values: tuple[Any, ...]) -> dict[str, Any]:
        context, kind, name, metric_name, value = values
        return _row("context", f"{kind}:{name}", metric_name, value, withheld=context in withheld)

    ordered = rows.order_by("context__kind", "context__name", "metric", "id")
    fields = ("context_id", "context__kind", "context__name", "metric", "value")
    return ordered.values_list(*fields), make


def _row(
    scope: str, subject: str, metric: str, value: float, withheld: bool = False
) -> dict[str, Any]:
    return {
        "scope": scope,
        "subject": subject,
        "metric": metric,
        "value": None if withheld else value,
        "withheld": withheld,
    }


def findings_for(user: Any, run: MiningRun) -> QuerySet[Finding]:
    """HR admins: every finding. Managers: findings that are not about identifiable people, in
    contexts they belong to with 5 or more members. Nobody else."""
    findings = findings_of(run)
    role, person = role_of(user), person_of(user)
    if role == Role.HR_ADMIN:
        return findings
    if role == Role.MANAGER and person is not None:
        in_scope = findings.filter(sensitive=False, context_id__in=aggregate_context_ids(user))
        return in_scope.exclude(context_id__in=withheld_context_ids(run))
    return findings.none()
