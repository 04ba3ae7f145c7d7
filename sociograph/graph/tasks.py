import os

from celery import shared_task

from sociograph.graph import outbox, reconcile, relay
from sociograph.graph.services import server_info

RETRYABLE = (*relay.TRANSIENT, relay.ProjectionError)


@shared_task(name="sociograph.graph.tasks.describe_graph_server")
def describe_graph_server() -> dict[str, object]:
    """Which Neo4j this worker process reaches, and from which process (diagnostics)."""
    return {**server_info(), "worker_pid": os.getpid()}


@shared_task(
    name=outbox.RELAY_TASK,
    autoretry_for=RETRYABLE,
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=None,
)
def relay_outbox() -> dict[str, object]:
    """Drain the outbox into Neo4j. Nudged after each commit and swept by beat.

    The nudge debounce is cleared first: a commit made once this task has started nudges again
    instead of being swallowed by the debounce its own nudge set (a fast relay used to finish
    inside the debounce second and leave later commits for the beat sweep). A relay that finds
    another one running stops: that one checks for pending entries after releasing its lock."""
    outbox.clear_nudge_debounce()
    try:
        report = relay.relay(wait_seconds=None)
    except relay.RelayBusy:
        return {"status": "busy"}
    if relay.pending_entries():
        relay_outbox.apply_async(countdown=1)  # entries committed while we released the lock
    return {"status": "ok", "entries": report.entries, "rows": report.upserted + report.deleted}


@shared_task(name="sociograph.graph.tasks.reconcile_graph")
def reconcile_graph() -> dict[str, object]:
    """What `graph_reconcile` does (relay, compare, repair), for the admin's button: the report
    as a dict (its `lines` are what the command prints)."""
    report = reconcile.check_and_repair()
    return {"status": "ok" if report.in_sync else "drift", "report": report.as_dict()}
