from celery import shared_task

from people.services import deactivate_departed

DEACTIVATE_DEPARTED = "people.deactivate_departed"


@shared_task(name=DEACTIVATE_DEPARTED)
def deactivate_departed_people() -> dict[str, int]:
    """Daily: people whose left_on has come are no longer active (outbox included)."""
    return {"deactivated": deactivate_departed()}
