"""Webhook deliveries: each new finding of a subscribed pattern is POSTed as JSON, signed with
HMAC-SHA256 over the exact body (`X-Sociograph-Signature: sha256=<hex>`), retried with
exponential back-off by Celery, and recorded (status, attempts, response)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.request
from typing import Any

from django.db import transaction
from django.utils import timezone

from analytics.models import Finding, MiningRun
from analytics.release import release_of
from sociograph.api.models import DeliveryStatus, Webhook, WebhookDelivery

SIGNATURE_HEADER = "X-Sociograph-Signature"
DELIVERY_HEADER = "X-Sociograph-Delivery"
TIMEOUT_SECONDS = 10


class DeliveryFailed(Exception):
    pass


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is an answer but 2xx: retried, not followed (urllib would turn the POST into a GET
    without the body and count the redirect target's 200 as delivered)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects())


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(finding: Finding) -> dict[str, Any]:
    return {
        "event": "finding",
        "run": finding.run_id,
        "finding": finding.pk,
        "pattern": finding.pattern,
        "severity": finding.severity,
        "subjects": sorted(person.external_id for person in finding.subjects.all()),
        "context": finding.context.key if finding.context else None,
        "detail": finding.detail,
        "sensitive": finding.sensitive,
    }


def queue_deliveries(run: MiningRun) -> list[int]:
    """One delivery per active webhook and finding of this run with a subscribed pattern (people
    who opted out are never sent, nor group findings of a context whose aggregates the release
    rule withholds). Sent by workers after the transaction commits."""
    from sociograph.api.tasks import deliver_webhook, retry_policy

    created = []
    findings = Finding.objects.filter(run=run).exclude(subjects__analytics_opt_out=True)
    withheld = release_of(run).withheld_context_ids
    findings = findings.exclude(sensitive=False, context_id__in=withheld)
    with transaction.atomic():
        for webhook in Webhook.objects.filter(is_active=True):
            for finding in findings.filter(pattern__in=webhook.patterns).order_by("id"):
                delivery, new = WebhookDelivery.objects.get_or_create(
                    webhook=webhook, finding=finding
                )
                if new:
                    created.append(delivery.pk)
        # The retry policy in force when queued travels with the task (and its retries). Robust:
        # a broker error for one delivery neither stops the others nor fails the mining run.
        policy = retry_policy()
        for delivery_id in created:
            send = functools.partial(deliver_webhook.delay, delivery_id, **policy)
            transaction.on_commit(send, robust=True)
    return created


def attempt(delivery: WebhookDelivery) -> None:
    """POST once; raises DeliveryFailed (after recording why) unless the receiver said 2xx."""
    if delivery.finding is None:  # erased since it was queued: nothing left to send
        _record(delivery, DeliveryStatus.FAILED, None, "the finding was erased")
        return
    if delivery.finding.subjects.filter(analytics_opt_out=True).exists():
        # opted out since it was queued: people who opted out are never sent
        _record(delivery, DeliveryStatus.FAILED, None, "a subject opted out of analytics")
        return
    body = json.dumps(payload(delivery.finding), sort_keys=True).encode()
    request = urllib.request.Request(  # noqa: S310 - an http(s) URL validated on registration
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(delivery.webhook.secret, body),
            DELIVERY_HEADER: str(delivery.pk),
            "User-Agent": "Sociograph-Webhooks/1",
        },
    )
    delivery.attempts += 1
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            code = int(response.status)
    except urllib.error.HTTPError as error:  # a non-2xx answer (3xx included: not followed)
        code = int(error.code)
        error.close()
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        _record(delivery, DeliveryStatus.PENDING, None, f"{type(error).__name__}: {error}")
        raise DeliveryFailed(str(error)) from error
    if 200 <= code < 300:
        _record(delivery, DeliveryStatus.DELIVERED, code, "")
        return
    _record(delivery, DeliveryStatus.PENDING, code, f"HTTP {code}")
    raise DeliveryFailed(f"HTTP {code}")


def give_up(delivery: WebhookDelivery) -> None:
    _record(delivery, DeliveryStatus.FAILED, delivery.response_status, delivery.last_error)


def _record(delivery: WebhookDelivery, state: str, code: int | None, error: str) -> None:
    delivery.status, delivery.response_status, delivery.last_error = state, code, error[:2000]
    if state == DeliveryStatus.DELIVERED:
        delivery.delivered_at = timezone.now()
    delivery.save(
        update_fields=["status", "response_status", "last_error", "attempts", "delivered_at"]
    )
