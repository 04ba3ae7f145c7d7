import neo4j.exceptions
from celery import shared_task

from analytics.services import MINE_TASK, MiningBusy, execute_run


@shared_task(
    name=MINE_TASK,
    autoretry_for=(
        MiningBusy,
        neo4j.exceptions.ServiceUnavailable,
        neo4j.exceptions.SessionExpired,
    ),
    retry_backoff=5,
    retry_backoff_max=300,
    max_retries=20,
)
def mine(run_id: int) -> dict[str, object]:
    """Execute a mining run; redelivered after a worker crash, it resumes at the unfinished step."""
    run = execute_run(run_id, wait_seconds=None)
    return {"run": run.pk, "status": run.status}
