"""Webhook tasks, on their own `webhooks` queue (CELERY_TASK_ROUTES): a slow or unreachable
receiver cannot hold up mining or the relay."""

from celery import shared_task

from webhooks import delivery as webhooks
from webhooks.delivery import retry_policy
from webhooks.models import DeliveryStatus


@shared_task(name=webhooks.DELIVER_TASK, time_limit=webhooks.SEND_TIME_LIMIT_SECONDS)
def deliver_webhook(
    delivery_id: int,
    max_retries: int | None = None,
    backoff: float | None = None,
    claim: int | None = None,
) -> str:
    """The delivery's attempt after `claim` attempts, unless another task made it. A failed one
    is retried after backoff * 2**(attempts - 1) s until `max_retries` retries were made, then
    the delivery is failed. Without a policy (a task queued before it travelled with the task),
    the worker's settings give it."""
    policy = retry_policy()
    limit = policy["max_retries"] if max_retries is None else int(max_retries)
    base = policy["backoff"] if backoff is None else float(backoff)
    delivery = webhooks.claim(delivery_id, claim)
    if delivery is None:  # delivered, failed, deleted, or this attempt made by another task
        return "not claimed"
    try:
        webhooks.attempt(delivery)
    except webhooks.DeliveryFailed:
        if delivery.attempts > limit:
            webhooks.give_up(delivery)
            return str(DeliveryStatus.FAILED)
        countdown = base * 2 ** (delivery.attempts - 1)
        webhooks.retry_later(delivery, countdown, {"max_retries": limit, "backoff": base})
    return str(delivery.status)


@shared_task(name=webhooks.SWEEP_TASK)
def sweep_deliveries() -> int:
    """Beat, every minute: send the pending deliveries whose task was lost (the broker was down
    when it was queued, or a worker died sending it)."""
    return len(webhooks.sweep())
