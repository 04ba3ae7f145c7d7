"""Reads behind the HR portal pages (SQL only; Neo4j need not be up).

Privacy: context aggregates over fewer than MIN_GROUP_SIZE members are withheld, and people who
opted out of analytics appear in no metric, finding or leadership count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from analytics import overview
from analytics.models import Finding, MiningRun, PersonMetric, RunStatus
from analytics.patterns.leadership import DEFAULTS as LEADERSHIP_DEFAULTS
from analytics.selectors import MIN_GROUP_SIZE
from analytics.services import progress
from people.models import Context, ContextKind, Membership, Person
from recognition.models import Follow, Recognition
from sociograph import charts

PERSON_METRICS = ("partner_entropy", "in_degree", "out_degree", "leader_count")
SORTABLE_COLUMNS = ("name", "size", *overview.CONTEXT_COLUMNS)
DEFAULT_WINDOW_DAYS = 90
CONTEXTS_PER_PAGE = 50
HISTORY_MONTHS = 12


def newest_run() -> MiningRun | None:
    """The newest run whatever its status."""
    return MiningRun.objects.order_by("-created_at", "-id").first()


def active_run() -> MiningRun | None:
    """The newest queued or running run, if any."""
    active = MiningRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
    return active.order_by("-created_at", "-id").first()


def followed_run() -> MiningRun | None:
    """The run the dashboard follows: the active one, else the newest."""
    return active_run() or newest_run()


def run_state(run: MiningRun) -> dict[str, Any]:
    """What the progress endpoint answers and the dashboard starts from."""
    return {
        "id": run.pk,
        "status": run.status,
        "progress": round(progress(run) * 100),
        "steps": run.steps,
        "error": run.error,
    }


def window_of(run: MiningRun | None) -> tuple[datetime, datetime]:
    """The run's window, or the last DEFAULT_WINDOW_DAYS days before any run exists."""
    if run is not None:
        return run.window_start, run.window_end
    now = timezone.now()
    return now - timedelta(days=DEFAULT_WINDOW_DAYS), now


# Dashboard


@dataclass(frozen=True)
class FindingCount:
    pattern: str
    count: int
    url: str


@dataclass(frozen=True)
class Dashboard:
    run: MiningRun | None
    health: dict[str, float | None]
    trend_chart: SafeString
    findings: list[FindingCount]
    current: dict[str, Any] | None
    health_withheld: bool = False  # the latest run measured fewer than MIN_GROUP_SIZE people


def finding_admin_url(run: MiningRun, pattern: str) -> str:
    query = urlencode({"run__id__exact": str(run.pk), "pattern": pattern})
    return f"{reverse('admin:index')}analytics/finding/?{query}"


def shown_health_trend(
    runs: list[MiningRun], values: dict[int, dict[str, float]] | None = None
) -> dict[str, list[float | None]]:
    """The health index over the runs, None for every run over fewer than MIN_GROUP_SIZE people."""
    return overview.health_trend(runs, values, withhold_few=True)


def dashboard() -> Dashboard:
    run = overview.latest_run()
    current = followed_run()
    state = run_state(current) if current is not None else None
    if run is None:
        return Dashboard(None, {}, SafeString(""), [], state)
    runs = overview.succeeded_runs(until=run)
    org = overview.org_values([*runs, run])  # read once for the trend and the latest figures
    trend = shown_health_trend(runs, org)
    chart = charts.line_chart(
        [overview.run_label(past) for past in runs],
        [charts.Series(name, values) for name, values in trend.items()],
        title="Health index over runs",
    )
    findings = [
        FindingCount(pattern, count, finding_admin_url(run, pattern))
        for pattern, count in overview.finding_counts(run)
    ]
    health = {name: values[-1] for name, values in trend.items()}
    withheld = overview.few_people(org[run.pk])
    return Dashboard(run, health, chart, findings, state, health_withheld=withheld)


# Contexts


@dataclass(frozen=True)
class ContextCell:
    value: float | None
    sparkline: SafeString


@dataclass(frozen=True)
class ContextLine:
    row: overview.ContextRow
    cells: list[ContextCell]  # in the order of overview.CONTEXT_COLUMNS


def _value(row: overview.ContextRow, column: str) -> Any:
    """The row's sort value; withheld rows have none but their name (not even their size)."""
    if column == "name":
        return row.key.lower()
    if row.withheld:
        return None
    return row.size if column == "size" else row.values.get(column)


@dataclass(frozen=True)
class ContextPage:
    lines: list[ContextLine]
    page: Page[overview.ContextRow]


def sorted_context_rows(
    run: MiningRun, sort: str = "name", descending: bool = False, kind: str = ""
) -> list[overview.ContextRow]:
    """The run's contexts (of one kind when given) sorted by a column of the run's own values,
    without history; withheld or missing values sort last."""
    column = sort if sort in SORTABLE_COLUMNS else "name"
    table = overview.context_table(run, with_history=False)
    if kind in ContextKind.values:
        table = [row for row in table if row.kind == kind]
    known = [row for row in table if _value(row, column) is not None]
    unknown = [row for row in table if _value(row, column) is None]
    known.sort(key=lambda row: _value(row, column), reverse=descending)
    return known + unknown


def context_page(
    run: MiningRun,
    sort: str = "name",
    descending: bool = False,
    kind: str = "",
    page: str | int | None = None,
    per_page: int = CONTEXTS_PER_PAGE,
) -> ContextPage:
    """One page of the sorted context table; only its rows get their history and sparklines."""
    shown = Paginator(sorted_context_rows(run, sort, descending, kind), per_page).get_page(page)
    ids = [row.context_id for row in shown]
    with_history = {row.context_id: row for row in overview.context_table(run, context_ids=ids)}
    return ContextPage([_line(with_history[context_id]) for context_id in ids], shown)


def _line(row: overview.ContextRow) -> ContextLine:
    if row.withheld:
        return ContextLine(row, [])
    return ContextLine(
        row,
        [
            ContextCell(row.values.get(column), charts.sparkline(row.history.get(column, [])))
            for column in overview.CONTEXT_COLUMNS
        ],
    )


# Leadership of a context


@dataclass(frozen=True)
class Leader:
    person: Person
    followers: int
    recognitions: int
    is_formal_manager: bool  # manages members of this context
    is_informal: bool  # this context's reading of the informal_leader pattern


@dataclass(frozen=True)
class FormalManager:
    person: Person
    followers: int
    recognized: bool  # followed or recognized here by one of their reports among the members


@dataclass
class Leadership:
    context: Context
    size: int
    withheld: bool
    run: MiningRun | None = None
    informal_min_followers: int = int(LEADERSHIP_DEFAULTS["informal_leader_min_followers"])
    leaders: list[Leader] = field(default_factory=list)
    managers: list[FormalManager] = field(default_factory=list)

    @property
    def informal(self) -> list[Person]:
        return [leader.person for leader in self.leaders if leader.is_informal]

    @property
    def unrecognized(self) -> list[Person]:
        return [manager.person for manager in self.managers if not manager.recognized]


def analysed_people() -> QuerySet[Person]:
    return Person.objects.filter(analytics_opt_out=False)


def members_of(context: Context) -> QuerySet[Person]:
    """Active members who did not opt out: the people the context's aggregates are over."""
    member_ids = Membership.objects.filter(context=context).values("person_id")
    return analysed_people().filter(is_active=True, pk__in=member_ids)


def follows_in_window(start: datetime, end: datetime) -> QuerySet[Follow]:
    return Follow.objects.filter(since__lt=end).filter(Q(until__isnull=True) | Q(until__gte=start))


def informal_min_followers(run: MiningRun | None) -> int:
    """The informal_leader pattern's threshold, as the run was mined with."""
    key = "informal_leader_min_followers"
    params = run.params if run is not None else {}
    return int(params.get(key, LEADERSHIP_DEFAULTS[key]))


def recognized_by_reports(
    members: QuerySet[Person], follows: QuerySet[Follow], recognitions: QuerySet[Recognition]
) -> set[int]:
    """Managers whom one of their reports among the members follows or recognized (in the
    follows and recognitions given, already narrowed to a context and a window)."""
    followed = follows.filter(follower__in=members, follower__manager_id=F("leader_id"))
    thanked = recognitions.filter(giver__in=members, giver__manager_id=F("receiver_id"))
    return set(followed.values_list("leader_id", flat=True)) | set(
        thanked.values_list("receiver_id", flat=True)
    )


def leadership(context: Context) -> Leadership:
    """Who is followed in the context against who manages its members, over the latest run's
    window; the gap lists read the org-wide leadership patterns inside this context."""
    members = members_of(context)
    size = members.count()
    if size < MIN_GROUP_SIZE:
        return Leadership(context, size, withheld=True)
    run = overview.latest_run()
    start, end = window_of(run)
    analysed = analysed_people().values("pk")
    follows = follows_in_window(start, end).filter(
        context=context, follower__in=analysed, leader__in=analysed
    )
    followers = dict(
        follows.values("leader_id")
        .annotate(n=Count("follower_id", distinct=True))
        .values_list("leader_id", "n")
    )
    given_here = Recognition.objects.filter(
        context=context, at__gte=start, at__lt=end, giver__in=analysed, receiver__in=analysed
    )
    recognitions = dict(
        given_here.values("receiver_id").annotate(n=Count("id")).values_list("receiver_id", "n")
    )
    managers = analysed_people().filter(reports__in=members).distinct().order_by("name")
    manager_ids = {manager.pk for manager in managers}
    recognized = recognized_by_reports(members, follows, given_here)
    # Reports of any status count, as in the pattern: a manager is not an informal leader.
    with_reports = set(
        Person.objects.filter(manager_id__in=followers).values_list("manager_id", flat=True)
    )
    threshold = informal_min_followers(run)
    leaders = sorted(
        (
            Leader(
                person,
                followers[person.pk],
                recognitions.get(person.pk, 0),
                is_formal_manager=person.pk in manager_ids,
                is_informal=followers[person.pk] >= threshold and person.pk not in with_reports,
            )
            for person in Person.objects.filter(pk__in=followers)
        ),
        key=lambda leader: (-leader.followers, -leader.recognitions, leader.person.name),
    )
    return Leadership(
        context,
        size,
        withheld=False,
        run=run,
        informal_min_followers=threshold,
        leaders=leaders,
        managers=[
            FormalManager(manager, followers.get(manager.pk, 0), manager.pk in recognized)
            for manager in managers
        ],
    )


# A person's page


@dataclass(frozen=True)
class ContextPeople:
    context: Context | None
    people: list[Person]


@dataclass
class Profile:
    person: Person
    opted_out: bool
    leaders: list[ContextPeople] = field(default_factory=list)
    followers: list[ContextPeople] = field(default_factory=list)
    recognition_chart: SafeString = field(default_factory=lambda: SafeString(""))
    recognition_months: list[tuple[str, int, int]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    run: MiningRun | None = None


def _by_context(pairs: Iterable[tuple[Context | None, Person]]) -> list[ContextPeople]:
    grouped: dict[Context | None, list[Person]] = defaultdict(list)
    for context, person in pairs:
        grouped[context].append(person)
    return [
        ContextPeople(context, sorted(people, key=lambda p: p.name))
        for context, people in sorted(grouped.items(), key=lambda item: str(item[0] or ""))
    ]


def contexts_of(person: Person) -> QuerySet[Context]:
    return Context.objects.filter(memberships__person=person)


def active_follows() -> QuerySet[Follow]:
    now = timezone.now()
    return Follow.objects.filter(since__lte=now).filter(Q(until__isnull=True) | Q(until__gte=now))


def month_starts(now: datetime, months: int) -> list[datetime]:
    """The first instants of the last `months` calendar months, oldest first."""
    index = now.year * 12 + now.month - 1
    return [
        now.replace(
            year=i // 12, month=i % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
        )
        for i in range(index - months + 1, index + 1)
    ]


def recognition_months(person: Person, months: int = HISTORY_MONTHS) -> list[tuple[str, int, int]]:
    """(month, given, received) over the last `months` months, oldest first; months without any
    recognition are included so that the chart's time axis is regular. Recognitions exchanged
    with people who opted out of analytics are not counted."""
    starts = month_starts(timezone.localtime(), months)  # TruncMonth buckets in TIME_ZONE

    def per_month(rows: QuerySet[Recognition]) -> Counter[str]:
        counted = (
            rows.filter(at__gte=starts[0])
            .annotate(month=TruncMonth("at"))
            .values("month")
            .annotate(n=Count("id"))
            .values_list("month", "n")
        )
        return Counter({f"{month:%Y-%m}": n for month, n in counted})

    given = per_month(Recognition.objects.filter(giver=person, receiver__analytics_opt_out=False))
    received = per_month(
        Recognition.objects.filter(receiver=person, giver__analytics_opt_out=False)
    )
    labels = [f"{month:%Y-%m}" for month in starts]
    return [(label, given[label], received[label]) for label in labels]


def _recognition_chart(months: list[tuple[str, int, int]]) -> SafeString:
    top = max((max(given, received) for _, given, received in months), default=0)
    return charts.line_chart(
        [label for label, _, _ in months],
        [
            charts.Series("given", [float(given) for _, given, _ in months]),
            charts.Series("received", [float(received) for _, _, received in months]),
        ],
        title="Recognitions per month",
        y_range=(0.0, float(max(top, 4))),
    )


def profile(person: Person, with_findings: bool) -> Profile:
    """The person's page; nothing but the record when they opted out of analytics."""
    if person.analytics_opt_out:
        return Profile(person, opted_out=True)
    follows = active_follows().select_related("context", "leader", "follower")
    leaders = _by_context(
        (follow.context, follow.leader)
        for follow in follows.filter(follower=person, leader__analytics_opt_out=False)
    )
    followers = _by_context(
        (follow.context, follow.follower)
        for follow in follows.filter(leader=person, follower__analytics_opt_out=False)
    )
    months = recognition_months(person)
    run = overview.latest_run()
    result = Profile(
        person,
        opted_out=False,
        leaders=leaders,
        followers=followers,
        recognition_chart=_recognition_chart(months),
        recognition_months=months,
        run=run,
    )
    if run is not None:
        result.metrics = dict(
            PersonMetric.objects.filter(
                run=run, person=person, metric__in=PERSON_METRICS
            ).values_list("metric", "value")
        )
        if with_findings:
            result.findings = list(
                Finding.objects.filter(run=run, subjects=person).select_related("context")
            )
    return result
