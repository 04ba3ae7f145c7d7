"""A mining run that just succeeded queues the webhook deliveries of its findings."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from analytics.models import MiningRun, RunStatus


def run_saved(sender: type[MiningRun], instance: MiningRun, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields") or ()
    if instance.status == RunStatus.SUCCEEDED and "status" in fields:
        from webhooks.delivery import queue_deliveries

        # Robust: a failure to queue deliveries is logged and does not fail the run, which has
        # already been saved as succeeded (in autocommit this callback runs inside its save()).
        transaction.on_commit(lambda: queue_deliveries(instance), robust=True)
