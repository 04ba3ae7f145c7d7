"""Mining results planted straight in SQL (no Neo4j, nothing mined)."""

from __future__ import annotations

from datetime import datetime, timedelta

from analytics.models import ContextMetric, MiningRun, OrgMetric, RunStatus
from people.models import Context


def planted_run(
    finished_at: datetime, org: dict[str, float], status: str = RunStatus.SUCCEEDED
) -> MiningRun:
    """A run over the 90 days up to `finished_at` with these org metrics (finished when it
    succeeded)."""
    run = MiningRun.objects.create(
        status=status,
        window_start=finished_at - timedelta(days=90),
        window_end=finished_at,
        finished_at=finished_at if status == RunStatus.SUCCEEDED else None,
    )
    OrgMetric.objects.bulk_create(OrgMetric(run=run, metric=m, value=v) for m, v in org.items())
    return run


def context_metrics(run: MiningRun, context: Context, **values: float) -> None:
    ContextMetric.objects.bulk_create(
        ContextMetric(run=run, context=context, metric=m, value=v) for m, v in values.items()
    )
