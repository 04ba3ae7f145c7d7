"""Webhooks: where to POST new findings of chosen patterns, and the record of each delivery."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from analytics.models import Finding
from webhooks.destinations import validate_webhook_url


def new_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    url = models.URLField(
        max_length=500,
        validators=[validate_webhook_url],
        help_text="https, to a host with public addresses only unless allow-listed (docs/api.md)",
    )
    patterns = models.JSONField(
        default=list, help_text='Finding patterns to deliver, e.g. ["silo", "isolation"]'
    )
    secret = models.CharField(
        max_length=200, default=new_secret, help_text="Key of the HMAC-SHA256 signature"
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        db_table = "api_webhook"  # created when webhooks were part of the API app

    def __str__(self) -> str:
        return f"{self.url} ({', '.join(self.patterns)})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERED = "delivered"
    # Gave up after the last retry, or not sent: the finding was erased or one of its subjects
    # opted out of analytics since it was queued (last_error says which).
    FAILED = "failed"


class WebhookDelivery(models.Model):
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # Kept when the finding goes (erasure): the record of what was sent stays, without its body.
    finding = models.ForeignKey(Finding, null=True, on_delete=models.SET_NULL)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When the sweep sends it if it is still pending: later than the task queued for it (or
    # sending it) can run. Empty for deliveries queued before the sweep existed: due at once.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]
        db_table = "api_webhookdelivery"
        constraints = [models.UniqueConstraint(fields=["webhook", "finding"], name="delivery_once")]

    def __str__(self) -> str:
        return f"#{self.id} to {self.webhook_id}: {self.status}"
