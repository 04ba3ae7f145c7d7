"""Reads of mining runs and their results (SQL only; Neo4j need not be up)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date

from django.db.models import QuerySet

from analytics.leadership_gaps import FormalLeaders
from analytics.models import Finding, MiningRun, PersonMetric, RunStatus
from analytics.release import release_of
from people.models import Context, ContextKind, Person
from people.selectors import lead_role_holders, members_on, teams_among

KINDS_LED_BY_MANAGERS = frozenset({ContextKind.TEAM, ContextKind.PROJECT})

ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class RunNotFound(LookupError):
    pass


def newest_run() -> MiningRun | None:
    """The newest run whatever its status."""
    return MiningRun.objects.order_by("-created_at", "-id").first()


def active_run() -> MiningRun | None:
    """The newest queued or running run, if any."""
    active = MiningRun.objects.filter(status__in=ACTIVE_STATUSES)
    return active.order_by("-created_at", "-id").first()


def run_by_reference(reference: str) -> MiningRun:
    """`latest` (the newest succeeded run) or a run id."""
    if reference == "latest":
        run = MiningRun.objects.filter(status=RunStatus.SUCCEEDED).order_by("-finished_at").first()
        if run is None:
            raise RunNotFound("no succeeded mining run yet (python manage.py mine)")
        return run
    try:
        return MiningRun.objects.get(pk=int(reference))
    except (ValueError, MiningRun.DoesNotExist):
        raise RunNotFound(f"no mining run {reference!r}") from None


def metric_rows(
    run: MiningRun, include_withheld: bool = False
) -> Iterator[tuple[str, str, str, float]]:
    """(scope, subject, metric, value): person external_id, context kind:name, or org.

    Aggregates the release rule withholds (analytics.release) are left out unless asked for.
    """
    release = release_of(run)
    for external_id, metric, value in (
        run.person_metrics.filter(person__analytics_opt_out=False)
        .order_by("person__external_id", "metric")
        .values_list("person__external_id", "metric", "value")
    ):
        yield "person", external_id, metric, value
    for context, kind, name, metric, value in run.context_metrics.order_by(
        "context__kind", "context__name", "metric"
    ).values_list("context_id", "context__kind", "context__name", "metric", "value"):
        if include_withheld or release.context_released(context):
            yield "context", f"{kind}:{name}", metric, value
    if not (include_withheld or release.org_released):
        return
    for metric, value in run.org_metrics.order_by("metric").values_list("metric", "value"):
        yield "org", "org", metric, value


def findings_of(run: MiningRun) -> QuerySet[Finding]:
    """The run's findings by pattern, with their context and subjects; none about a person who
    opted out of analytics since the run."""
    return (
        Finding.objects.filter(run=run)
        .exclude(subjects__analytics_opt_out=True)
        .select_related("context")
        .prefetch_related("subjects")
        .order_by("pattern", "id")
    )


def finding_rows(
    run: MiningRun, include_withheld: bool = False
) -> Iterator[tuple[str, str, str, str, str]]:
    """(pattern, severity, subjects, context, detail) with subjects `;`-separated external ids.
    Group findings (not about identifiable people) of a context whose aggregates the release
    rule withholds are left out unless asked for."""
    findings = findings_of(run)
    if not include_withheld:
        withheld = release_of(run).withheld_context_ids
        findings = findings.exclude(sensitive=False, context_id__in=withheld)
    for finding in findings:
        subjects = ";".join(sorted(person.external_id for person in finding.subjects.all()))
        context = finding.context.key if finding.context else ""
        detail = ";".join(f"{key}={value}" for key, value in sorted(finding.detail.items()))
        yield finding.pattern, finding.severity, subjects, context, detail


def previous_run(run: MiningRun) -> MiningRun | None:
    """The newest succeeded run that finished before this one."""
    return (
        MiningRun.objects.filter(status=RunStatus.SUCCEEDED, finished_at__lt=run.finished_at)
        .order_by("-finished_at")
        .first()
    )


def change_rows(
    run: MiningRun, before: MiningRun
) -> Iterator[tuple[str, str, str, float | None, float | None]]:
    """(scope, subject, metric, before, now) for every exported metric of either run, in the
    export's order; a side is None when the metric did not exist or is withheld in that run (the
    release rule applies to each run, as in the export)."""
    earlier = {(s, subject, m): v for s, subject, m, v in metric_rows(before)}
    seen = set()
    for scope, subject, metric, value in metric_rows(run):
        seen.add((scope, subject, metric))
        yield scope, subject, metric, earlier.get((scope, subject, metric)), value
    for key, value in earlier.items():
        if key not in seen:
            yield *key, value, None


def person_metrics(run: MiningRun, person: Person, metrics: Collection[str]) -> dict[str, float]:
    """The person's values of `metrics` in the run, by metric."""
    rows = PersonMetric.objects.filter(run=run, person=person, metric__in=metrics)
    return dict(rows.values_list("metric", "value"))


def people_metrics(
    run: MiningRun, people: Collection[int], metrics: Collection[str]
) -> dict[tuple[int, str], float]:
    """(person id, metric) -> value of `metrics` in the run, for the people given."""
    rows = PersonMetric.objects.filter(run=run, person_id__in=people, metric__in=metrics)
    return {
        (pk, metric): value
        for pk, metric, value in rows.values_list("person_id", "metric", "value")
    }


def findings_about(person: Person, run: MiningRun) -> QuerySet[Finding]:
    """The run's findings with the person among their subjects."""
    return Finding.objects.filter(run=run, subjects=person).select_related("context")


def formal_leaders_of(context: Context, day: date) -> FormalLeaders[int]:
    """The lead-role holders and the managers of members among the context's members on `day`;
    only teams and projects are led by the managers among their members (docs/portal.md)."""
    teams: dict[int, frozenset[int]] = {}
    if context.kind in KINDS_LED_BY_MANAGERS:
        teams = teams_among(members_on(context, day))
    return FormalLeaders(lead_role_holders(context, day), teams)
