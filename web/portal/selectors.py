"""Reads behind the HR portal pages (SQL only; Neo4j need not be up).

Privacy: aggregates the release rule withholds (analytics.release) are shown as withheld, and
people who opted out of analytics appear in no metric, finding or leadership count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from analytics import overview, release
from analytics.models import Finding, MiningRun, PersonMetric
from analytics.patterns.leadership import DEFAULTS as LEADERSHIP_DEFAULTS
from analytics.selectors import active_run as active_run  # the dashboard follows it
from analytics.services import DEFAULT_WINDOW_DAYS, progress
from people import roster
from people.models import Context, ContextKind, Membership, Person
from recognition.models import Follow, Recognition
from reports.explanations import (
    Explanation,
    SingleLeaderShare,
    explanation_of,
    single_leader_share,
)
from sociograph import charts

PERSON_METRICS = ("partner_entropy", "in_degree", "out_degree", "leader_count")
SORTABLE_COLUMNS = ("name", "size", *overview.CONTEXT_COLUMNS)
CONTEXTS_PER_PAGE = 50
HISTORY_MONTHS = 12


def newest_run() -> MiningRun | None:
    """The newest run whatever its status."""
    return MiningRun.objects.order_by("-created_at", "-id").first()


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


ATTENTION_BLINDNESS = "attention_blindness"  # shown next to the single-leader share


@dataclass(frozen=True)
class FindingCount:
    pattern: str
    count: int
    url: str
    explanation: Explanation  # the report's plain label and meaning


@dataclass(frozen=True)
class SingleLeader:
    """The org's single-leader share and, next to it, the run's attention-blindness findings."""

    share: SingleLeaderShare
    findings: FindingCount | None


@dataclass(frozen=True)
class Dashboard:
    run: MiningRun | None
    health: dict[str, float | None]
    trend_chart: SafeString
    findings: list[FindingCount]  # every pattern but attention blindness
    current: dict[str, Any] | None
    health_withheld: bool = False  # the release rule withholds the latest run's org figures
    single_leader: SingleLeader | None = None


def finding_admin_url(run: MiningRun, pattern: str) -> str:
    query = urlencode({"run__id__exact": str(run.pk), "pattern": pattern})
    return f"{reverse('admin:index')}analytics/finding/?{query}"


def shown_health_trend(
    runs: list[MiningRun], values: dict[int, dict[str, float]] | None = None
) -> dict[str, list[float | None]]:
    """The health index over the runs, None for every run whose org figures are withheld."""
    return overview.health_trend(runs, values, withhold=True)


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
    findings = finding_counts(run)
    blindness = next((found for found in findings if found.pattern == ATTENTION_BLINDNESS), None)
    health = {name: values[-1] for name, values in trend.items()}
    withheld = overview.org_withheld(run)
    return Dashboard(
        run,
        health,
        chart,
        [found for found in findings if found is not blindness],
        state,
        health_withheld=withheld,
        single_leader=SingleLeader(single_leader_share(org[run.pk], withheld), blindness),
    )


def finding_counts(run: MiningRun) -> list[FindingCount]:
    """The run's findings per pattern, most frequent first, with their plain labels."""
    return [
        FindingCount(pattern, count, finding_admin_url(run, pattern), explanation_of(pattern))
        for pattern, count in overview.finding_counts(run)
    ]


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

LEAD_ROLE = "lead"  # Membership.role of a context's appointed leader (compared case-insensitively)
KINDS_LED_BY_MANAGERS = frozenset({ContextKind.TEAM, ContextKind.PROJECT})


@dataclass(frozen=True)
class Leader:
    person: Person
    followers: int
    recognitions: int
    is_formal_leader: bool  # a formal leader of this context
    is_informal: bool  # a member followed by the threshold, not a formal leader here


@dataclass(frozen=True)
class FormalLeader:
    person: Person
    holds_lead_role: bool
    manages_members: bool
    followers: int
    recognized: bool  # followed or recognized here by a member who counts (see leadership())


@dataclass
class Leadership:
    context: Context
    size: int
    withheld: bool
    run: MiningRun | None = None
    informal_min_followers: int = int(LEADERSHIP_DEFAULTS["informal_leader_min_followers"])
    leaders: list[Leader] = field(default_factory=list)
    formal_leaders: list[FormalLeader] = field(default_factory=list)

    @property
    def informal(self) -> list[Person]:
        return [leader.person for leader in self.leaders if leader.is_informal]

    @property
    def unrecognized(self) -> list[Person]:
        return [formal.person for formal in self.formal_leaders if not formal.recognized]


def analysed_people() -> QuerySet[Person]:
    return Person.objects.filter(analytics_opt_out=False)


def end_day_of(run: MiningRun | None) -> date:
    """The last day of the run's window (of the default window before any run)."""
    start, end = window_of(run)
    return roster.window_days(start.timestamp(), end.timestamp())[1]


def present_on(day: date) -> QuerySet[Person]:
    """People employed on `day` who did not opt out of analytics."""
    return analysed_people().filter(roster.employed_on_q(day))


def memberships_on(context: Context, day: date) -> QuerySet[Membership]:
    """The context's memberships in force on `day`, of people employed that day, not opted out."""
    in_force = Membership.objects.filter(roster.membership_in_force_q(day), context=context)
    return in_force.filter(person__analytics_opt_out=False)


def members_on(context: Context, day: date) -> QuerySet[Person]:
    """The context's members on `day`: the people its leadership view is about."""
    return Person.objects.filter(pk__in=memberships_on(context, day).values("person_id"))


def shown_context(run: MiningRun | None, context: Context, members: int) -> bool:
    """Whether a view of the context's `members` people (counted on the run's end day) may be
    shown: enough people, and the release rule does not withhold the context in the run."""
    if not release.enough_people(members):
        return False
    return run is None or not release.release_of(run).context_withheld(context.pk)


def follows_in_force_at(end: datetime) -> QuerySet[Follow]:
    """Follows in force at the instant `end` (a window's end)."""
    return Follow.objects.filter(since__lt=end).filter(Q(until__isnull=True) | Q(until__gte=end))


def informal_min_followers(run: MiningRun | None) -> int:
    """The informal_leader pattern's threshold, as the run was mined with."""
    key = "informal_leader_min_followers"
    params = run.params if run is not None else {}
    return int(params.get(key, LEADERSHIP_DEFAULTS[key]))


def lead_role_holders(context: Context, day: date) -> set[int]:
    """Members holding the context's lead role on `day`."""
    holders = memberships_on(context, day).filter(role__iexact=LEAD_ROLE)
    return set(holders.values_list("person_id", flat=True))


def managers_among(members: QuerySet[Person]) -> set[int]:
    """Members who are the formal manager of at least one other member."""
    return set(members.filter(reports__in=members).values_list("pk", flat=True))


def formal_leaders_of(context: Context, day: date) -> tuple[set[int], set[int]]:
    """(lead-role holders, managers of members) among the context's members on `day`; only
    teams and projects are led by the managers among their members."""
    managers: set[int] = set()
    if context.kind in KINDS_LED_BY_MANAGERS:
        managers = managers_among(members_on(context, day))
    return lead_role_holders(context, day), managers


def recognized_formal_leaders(
    lead_holders: set[int],
    managers: set[int],
    follows: QuerySet[Follow],
    recognitions: QuerySet[Recognition],
) -> set[int]:
    """Formal leaders followed or recognized by a member who counts: any member for a lead-role
    holder, a member reporting to them for a manager (follows and recognitions already narrowed
    to the context's members, the context and the window)."""
    formal = lead_holders | managers
    pairs = set(follows.filter(leader_id__in=formal).values_list("follower_id", "leader_id"))
    thanked = recognitions.filter(receiver_id__in=formal)
    pairs |= set(thanked.values_list("giver_id", "receiver_id"))
    givers = Person.objects.filter(pk__in={member for member, _ in pairs})
    manager_of = dict(givers.values_list("pk", "manager_id"))
    return {
        leader
        for member, leader in pairs
        if leader in lead_holders or (leader in managers and manager_of[member] == leader)
    }


def distinct_followers(follows: QuerySet[Follow]) -> dict[int, int]:
    """Leader id -> number of distinct followers (duplicate follow records count once)."""
    counted = follows.values("leader_id").annotate(n=Count("follower_id", distinct=True))
    return dict(counted.values_list("leader_id", "n"))


def recognitions_received(recognitions: QuerySet[Recognition]) -> dict[int, int]:
    counted = recognitions.values("receiver_id").annotate(n=Count("id"))
    return dict(counted.values_list("receiver_id", "n"))


def _leaders(
    followers: dict[int, int],
    recognitions: dict[int, int],
    formal: set[int],
    member_ids: set[int],
    threshold: int,
) -> list[Leader]:
    """The people followed here, most followed first."""
    leaders = [
        Leader(
            person,
            followers[person.pk],
            recognitions.get(person.pk, 0),
            is_formal_leader=person.pk in formal,
            is_informal=person.pk in member_ids
            and person.pk not in formal
            and followers[person.pk] >= threshold,
        )
        for person in Person.objects.filter(pk__in=followers)
    ]
    return sorted(
        leaders, key=lambda leader: (-leader.followers, -leader.recognitions, leader.person.name)
    )


def leadership(context: Context) -> Leadership:
    """Who is followed in the context against its formal leaders, as of the latest run's window
    (docs/portal.md, "Leadership"): members are those of the window's last day; follows count
    when in force at the window's end, recognitions when given in the window, both only from
    members; the departed and the opted-out are never listed."""
    run = overview.latest_run()
    start, end = window_of(run)
    day = end_day_of(run)
    members = members_on(context, day)
    size = members.count()
    if not shown_context(run, context, size):
        return Leadership(context, size, withheld=True)
    present = present_on(day).values("pk")
    follows = follows_in_force_at(end).filter(
        context=context, follower__in=members, leader__in=present
    )
    given_here = Recognition.objects.filter(
        context=context, at__gte=start, at__lt=end, giver__in=members, receiver__in=present
    )
    followers = distinct_followers(follows)
    lead_holders, managers = formal_leaders_of(context, day)
    recognized = recognized_formal_leaders(lead_holders, managers, follows, given_here)
    threshold = informal_min_followers(run)
    member_ids = set(members.values_list("pk", flat=True))
    leaders = _leaders(
        followers, recognitions_received(given_here), lead_holders | managers, member_ids, threshold
    )
    formal_leaders = [
        FormalLeader(
            person,
            holds_lead_role=person.pk in lead_holders,
            manages_members=person.pk in managers,
            followers=followers.get(person.pk, 0),
            recognized=person.pk in recognized,
        )
        for person in Person.objects.filter(pk__in=lead_holders | managers).order_by("name")
    ]
    return Leadership(
        context,
        size,
        withheld=False,
        run=run,
        informal_min_followers=threshold,
        leaders=leaders,
        formal_leaders=formal_leaders,
    )


# A person's page


@dataclass(frozen=True)
class ContextPeople:
    context: Context | None
    people: list[Person]


@dataclass(frozen=True)
class PersonFinding:
    finding: Finding
    explanation: Explanation  # the report's plain label and meaning of its pattern


@dataclass
class Profile:
    person: Person
    opted_out: bool
    leaders: list[ContextPeople] = field(default_factory=list)
    followers: list[ContextPeople] = field(default_factory=list)
    recognition_chart: SafeString = field(default_factory=lambda: SafeString(""))
    recognition_months: list[tuple[str, int, int]] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    findings: list[PersonFinding] = field(default_factory=list)
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
    """Every context the person was ever a member of, each once (the person's record)."""
    return Context.objects.filter(memberships__person=person).distinct()


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
    """The person's page; nothing but the record when they opted out of analytics. Follows are
    today's (not a run's): only leaders and followers employed today and not opted out."""
    if person.analytics_opt_out:
        return Profile(person, opted_out=True)
    follows = active_follows().select_related("context", "leader", "follower")
    present = present_on(timezone.localdate()).values("pk")
    leaders = _by_context(
        (follow.context, follow.leader)
        for follow in follows.filter(follower=person, leader__in=present)
    )
    followers = _by_context(
        (follow.context, follow.follower)
        for follow in follows.filter(leader=person, follower__in=present)
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
            result.findings = findings_about(person, run)
    return result


def findings_about(person: Person, run: MiningRun) -> list[PersonFinding]:
    found = Finding.objects.filter(run=run, subjects=person).select_related("context")
    return [PersonFinding(finding, explanation_of(finding.pattern)) for finding in found]
