"""Read models of the HR portal pages, shaped from the domain apps' selectors (SQL only; Neo4j
need not be up).

Privacy: aggregates the release rule withholds (analytics.release) are shown as withheld, and
people who opted out of analytics appear in no metric, finding or leadership count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from analytics import overview, release
from analytics.leadership_gaps import FormalLeaders, Gaps, leadership_gaps
from analytics.models import Finding, MiningRun
from analytics.patterns.leadership import DEFAULTS as LEADERSHIP_DEFAULTS
from analytics.selectors import (
    active_run,
    findings_about,
    formal_leaders_of,
    newest_run,
    person_metrics,
)
from analytics.services import DEFAULT_WINDOW_DAYS, progress
from people import roster
from people.models import Context, ContextKind, Person
from people.selectors import members_on, present_on
from recognition.selectors import (
    active_follows,
    distinct_followers,
    follows_in_force_at,
    recognition_months,
    recognitions_given_in,
    recognitions_received,
    ties_to,
)
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


def end_day_of(run: MiningRun | None) -> date:
    """The last day of the run's window (of the default window before any run)."""
    start, end = window_of(run)
    return roster.window_days(start.timestamp(), end.timestamp())[1]


def shown_context(run: MiningRun | None, context: Context, members: int) -> bool:
    """Whether a view of the context's `members` people (counted on the run's end day) may be
    shown: enough people, and the release rule does not withhold the context in the run."""
    if not release.enough_people(members):
        return False
    return run is None or not release.release_of(run).context_withheld(context.pk)


def informal_min_followers(run: MiningRun | None) -> int:
    """The informal_leader pattern's threshold, as the run was mined with."""
    key = "informal_leader_min_followers"
    params = run.params if run is not None else {}
    return int(params.get(key, LEADERSHIP_DEFAULTS[key]))


def _leaders(
    followers: dict[int, int], recognitions: dict[int, int], formal: frozenset[int], gaps: Gaps[int]
) -> list[Leader]:
    """The people followed here, most followed first."""
    leaders = [
        Leader(
            person,
            followers[person.pk],
            recognitions.get(person.pk, 0),
            is_formal_leader=person.pk in formal,
            is_informal=person.pk in gaps.informal,
        )
        for person in Person.objects.filter(pk__in=followers)
    ]
    return sorted(
        leaders, key=lambda leader: (-leader.followers, -leader.recognitions, leader.person.name)
    )


def _formal_leaders(
    formal: FormalLeaders[int], followers: dict[int, int], gaps: Gaps[int]
) -> list[FormalLeader]:
    return [
        FormalLeader(
            person,
            holds_lead_role=person.pk in formal.lead_holders,
            manages_members=person.pk in formal.managers,
            followers=followers.get(person.pk, 0),
            recognized=person.pk not in gaps.unrecognized,
        )
        for person in Person.objects.filter(pk__in=formal.everyone).order_by("name")
    ]


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
    given_here = recognitions_given_in(start, end).filter(
        context=context, giver__in=members, receiver__in=present
    )
    followers = distinct_followers(follows)
    formal = formal_leaders_of(context, day)
    threshold = informal_min_followers(run)
    member_ids = set(members.values_list("pk", flat=True))
    gaps = leadership_gaps(
        formal,
        {leader: count for leader, count in followers.items() if leader in member_ids},
        ties_to(formal.everyone, follows, given_here),
        threshold,
    )
    leaders = _leaders(followers, recognitions_received(given_here), formal.everyone, gaps)
    return Leadership(
        context,
        size,
        withheld=False,
        run=run,
        informal_min_followers=threshold,
        leaders=leaders,
        formal_leaders=_formal_leaders(formal, followers, gaps),
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
    months = recognition_months(person, HISTORY_MONTHS)
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
        result.metrics = person_metrics(run, person, PERSON_METRICS)
        if with_findings:
            result.findings = explained_findings_about(person, run)
    return result


def explained_findings_about(person: Person, run: MiningRun) -> list[PersonFinding]:
    found = findings_about(person, run)
    return [PersonFinding(finding, explanation_of(finding.pattern)) for finding in found]
