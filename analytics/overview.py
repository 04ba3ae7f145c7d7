"""Read models shared by the HR portal and the org-health reports (SQL only).

Privacy: aggregates the release rule withholds (analytics.release: groups under 5 people, or
differing by 1-4 people from another released group) come back as withheld (no values), whoever
asks; the portal and the reports show them as "withheld".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from analytics.models import ContextMetric, Finding, MiningRun, OrgMetric, RunStatus
from analytics.patterns.contexts import FAMILY as CONTEXT_FAMILY
from analytics.release import Release, release_of, releases_of
from analytics.selectors import RunNotFound, previous_run, run_by_reference

HEALTH_INDEX = ("viability", "agility", "wellbeing")
# The table's columns: every context metric but the size, which decides what is withheld.
CONTEXT_COLUMNS = tuple(metric for metric in CONTEXT_FAMILY.context_metrics if metric != "size")
# The range a metric can span, to compare changes of metrics on different scales. Metrics with no
# fixed range (counts, energy) are not ranked as "most important changes".
METRIC_SPAN = {
    "viability": 100.0,
    "agility": 100.0,
    "wellbeing": 100.0,
    "reciprocity": 1.0,
    "ei_index": 2.0,
    "recognition_gini": 1.0,
    "never_recognized_share": 1.0,
    "modularity_of_teams": 1.5,  # Newman modularity lies in [-0.5, 1]
    "engagement": 1.0,
    "exploration": 1.0,
    "leadership_centralization": 1.0,
}


def latest_run() -> MiningRun | None:
    """The newest succeeded run, if any."""
    try:
        return run_by_reference("latest")
    except RunNotFound:
        return None


def succeeded_runs(until: MiningRun | None = None, limit: int = 12) -> list[MiningRun]:
    """The newest `limit` succeeded runs (up to `until` when given), oldest first."""
    runs = MiningRun.objects.filter(status=RunStatus.SUCCEEDED)
    if until is not None and until.finished_at is not None:
        runs = runs.filter(finished_at__lte=until.finished_at)
    return list(runs.order_by("-finished_at")[:limit])[::-1]


def run_label(run: MiningRun) -> str:
    """A run is named by the end of its window: the state of the organization it describes."""
    return f"{run.window_end:%Y-%m-%d}"


def org_values(runs: list[MiningRun]) -> dict[int, dict[str, float]]:
    """run id -> org metric -> value."""
    values: dict[int, dict[str, float]] = defaultdict(dict)
    rows = OrgMetric.objects.filter(run__in=runs).values_list("run_id", "metric", "value")
    for run_id, metric, value in rows:
        values[run_id][metric] = value
    return values


def org_withheld(run: MiningRun) -> bool:
    """Whether the release rule withholds the run's org figures (fewer than 5 people, or 1-4
    people more or fewer than a released group)."""
    return not release_of(run).org_released


def health_trend(
    runs: list[MiningRun],
    values: dict[int, dict[str, float]] | None = None,
    *,
    withhold: bool = False,
) -> dict[str, list[float | None]]:
    """Each health index component over the runs: None where a run has no value and, with
    `withhold`, at each run whose org figures the release rule withholds. `values` are the
    runs' org_values when already read."""
    values = values if values is not None else org_values(runs)
    releases = releases_of(runs) if withhold else {}
    shown = [
        {} if withhold and not releases[run.pk].org_released else values.get(run.pk, {})
        for run in runs
    ]
    return {name: [org.get(name) for org in shown] for name in HEALTH_INDEX}


def finding_counts(run: MiningRun) -> list[tuple[str, int]]:
    """Findings per pattern in a run, most frequent first."""
    counts = Counter(Finding.objects.filter(run=run).values_list("pattern", flat=True))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class ContextRow:
    context_id: int
    kind: str
    name: str
    size: int
    withheld: bool
    values: dict[str, float | None]
    history: dict[str, list[float | None]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"


def _context_values(
    runs: list[MiningRun], context_ids: Collection[int] | None = None
) -> dict[tuple[int, int], dict[str, float]]:
    """(run id, context id) -> metric -> value, of every context or of `context_ids`."""
    values: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    metrics = ContextMetric.objects.filter(run__in=runs)
    if context_ids is not None:
        metrics = metrics.filter(context_id__in=context_ids)
    rows = metrics.values_list("run_id", "context_id", "metric", "value")
    for run_id, context_id, metric, value in rows:
        values[run_id, context_id][metric] = value
    return values


def _shown(
    metrics: dict[str, float], column: str, release: Release, context_id: int
) -> float | None:
    if not release.context_released(context_id):
        return None
    return metrics.get(column)


def context_table(
    run: MiningRun,
    history: list[MiningRun] | None = None,
    *,
    context_ids: Collection[int] | None = None,
    with_history: bool = True,
) -> list[ContextRow]:
    """A row per context measured in the run (or per context of `context_ids` measured in it),
    with each column's values over `history`; `with_history=False` reads the run alone and
    leaves each row's history empty (to sort or filter a large table before drawing it)."""
    if with_history:
        history = history if history is not None else succeeded_runs(until=run)
        runs = history if run in history else [*history, run]
    else:
        runs = [run]
    values = _context_values(runs, context_ids)
    releases = releases_of(runs)
    contexts = (
        ContextMetric.objects.filter(run=run, metric="size")
        .select_related("context")
        .order_by("context__kind", "context__name")
    )
    if context_ids is not None:
        contexts = contexts.filter(context_id__in=context_ids)
    table = []
    for row in contexts:
        metrics, release = values[run.pk, row.context_id], releases[run.pk]
        table.append(
            ContextRow(
                context_id=row.context_id,
                kind=row.context.kind,
                name=row.context.name,
                size=int(row.value),
                withheld=not release.context_released(row.context_id),
                values={
                    column: _shown(metrics, column, release, row.context_id)
                    for column in CONTEXT_COLUMNS
                },
                history={
                    column: [
                        _shown(
                            values[past.pk, row.context_id],
                            column,
                            releases[past.pk],
                            row.context_id,
                        )
                        for past in runs
                    ]
                    for column in CONTEXT_COLUMNS
                }
                if with_history
                else {},
            )
        )
    return table


@dataclass(frozen=True)
class Change:
    subject: str  # "org" or a context's kind:name
    metric: str
    before: float
    now: float

    @property
    def delta(self) -> float:
        return self.now - self.before

    @property
    def importance(self) -> float:
        """The change as a share of the metric's possible range."""
        return abs(self.delta) / METRIC_SPAN[self.metric]


def important_changes(
    run: MiningRun, before: MiningRun | None = None, count: int = 3
) -> list[Change]:
    """The `count` largest changes since the previous run, relative to each metric's range, over
    org metrics and context metrics the release rule releases in both runs."""
    before = before or previous_run(run)
    if before is None:
        return []
    releases = releases_of([run, before])
    now_released, then_released = releases[run.pk], releases[before.pk]
    org = org_values([run, before])
    both_released = now_released.org_released and then_released.org_released
    changes = [
        Change("org", metric, org[before.pk][metric], value)
        for metric, value in org[run.pk].items()
        if both_released and metric in METRIC_SPAN and metric in org[before.pk]
    ]
    contexts = _context_values([run, before])
    measured = ContextMetric.objects.filter(run=run, metric="size").values_list(
        "context_id", "context__kind", "context__name"
    )
    for context_id, kind, name in measured:
        now, then = contexts[run.pk, context_id], contexts[before.pk, context_id]
        if not (
            now_released.context_released(context_id) and then_released.context_released(context_id)
        ):
            continue
        changes.extend(
            Change(f"{kind}:{name}", metric, then[metric], now[metric])
            for metric in CONTEXT_COLUMNS
            if metric in METRIC_SPAN and metric in now and metric in then
        )
    ranked = sorted(
        (change for change in changes if change.delta != 0),
        key=lambda change: (-change.importance, change.subject, change.metric),
    )
    return ranked[:count]
