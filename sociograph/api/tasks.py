from typing import TypedDict

from celery import shared_task
from django.conf import settings

from sociograph.api import webhooks
from sociograph.api.models import DeliveryStatus, WebhookDelivery

# Defaults of SOCIOGRAPH_WEBHOOK_MAX_RETRIES and SOCIOGRAPH_WEBHOOK_BACKOFF_SECONDS: back-off
# 2, 4, 8, 16, 32, 64 s (7 attempts in all), about two minutes of a receiver being down.
MAX_RETRIES = 6
BACKOFF_SECONDS = 2.0


class RetryPolicy(TypedDict):
    max_retries: int
    backoff: float


def retry_policy() -> RetryPolicy:
    """The retry policy of the settings, queued with each delivery (see `deliver_webhook`)."""
    return {
        "max_retries": int(getattr(settings, "SOCIOGRAPH_WEBHOOK_MAX_RETRIES", MAX_RETRIES)),
        "backoff": float(getattr(settings, "SOCIOGRAPH_WEBHOOK_BACKOFF_SECONDS", BACKOFF_SECONDS)),
    }


@shared_task(bind=True, max_retries=None)  # the limit is `max_retries` below
def deliver_webhook(  # type: ignore[no-untyped-def]
    self, delivery_id: int, max_retries: int | None = None, backoff: float | None = None
) -> str:
    """One attempt; a failed one is retried after backoff * 2**retries s until `max_retries`
    retries were made, then the delivery is failed. Without a policy (a task queued before it
    travelled with the task), the worker's settings give it."""
    policy = retry_policy()
    limit = policy["max_retries"] if max_retries is None else int(max_retries)
    base = policy["backoff"] if backoff is None else float(backoff)
    delivery = (
        WebhookDelivery.objects.select_related("webhook", "finding").filter(pk=delivery_id).first()
    )
    if delivery is None:  # its webhook was deleted since
        return "gone"
    if delivery.status != DeliveryStatus.PENDING:
        return str(delivery.status)
    try:
        webhooks.attempt(delivery)
    except webhooks.DeliveryFailed as error:
        if self.request.retries >= limit:
            webhooks.give_up(delivery)
            return str(DeliveryStatus.FAILED)
        countdown = base * 2**self.request.retries
        raise self.retry(exc=error, countdown=countdown, max_retries=limit) from error
    return str(delivery.status)
