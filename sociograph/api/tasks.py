from celery import shared_task

from sociograph.api import webhooks
from sociograph.api.models import WebhookDelivery

MAX_RETRIES = 6  # back-off 2, 4, 8, 16, 32, 64 s: about two minutes of a receiver being down


@shared_task(bind=True, max_retries=MAX_RETRIES)
def deliver_webhook(self, delivery_id: int) -> str:  # type: ignore[no-untyped-def]
    delivery = WebhookDelivery.objects.select_related("webhook", "finding").get(pk=delivery_id)
    if delivery.status != "pending":
        return str(delivery.status)
    try:
        webhooks.attempt(delivery)
    except webhooks.DeliveryFailed as error:
        if self.request.retries >= MAX_RETRIES:
            webhooks.give_up(delivery)
            return "failed"
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
    return str(delivery.status)
