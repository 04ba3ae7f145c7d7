"""Webhook deliveries: each new finding of a subscribed pattern is POSTed as JSON, signed with
HMAC-SHA256 over the exact body (`X-Sociograph-Signature: sha256=<hex>`), retried with
exponential back-off by Celery, and recorded (status, attempts, response).

Each delivery is sent to the addresses its URL was vetted for just before (`destinations.vet`:
no DNS rebinding, redirects never followed), and its record keeps a generic error only ("timeout",
"connection failed", "HTTP 503"), never what the network said. An attempt is claimed first by a
conditional UPDATE of its number, so a late, duplicated or swept task cannot send it twice; a
delivery whose task never came (the broker was down) is sent by `sweep`."""

from __future__ import annotations

import functools
import hashlib
import hmac
import http.client
import json
import logging
import socket
import ssl
from datetime import datetime, timedelta
from typing import Any, NoReturn, TypedDict

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from analytics.models import Finding, MiningRun
from analytics.release import release_of
from webhooks import destinations
from webhooks.models import DeliveryStatus, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

# webhooks.tasks.deliver_webhook, queued by name: the task module imports this one.
DELIVER_TASK = "sociograph.api.tasks.deliver_webhook"
SWEEP_TASK = "sociograph.api.tasks.sweep_deliveries"
SIGNATURE_HEADER = "X-Sociograph-Signature"
DELIVERY_HEADER = "X-Sociograph-Delivery"
TIMEOUT_SECONDS = 10
# A task sending a delivery is killed after SEND_TIME_LIMIT_SECONDS (webhooks.tasks); the
# sweep leaves a claimed delivery alone for longer than that.
SEND_TIME_LIMIT_SECONDS = 60
SEND_LEASE_SECONDS = SEND_TIME_LIMIT_SECONDS + 30
SWEEP_BATCH = 500

ERASED = "the finding was erased"
OPTED_OUT = "a subject opted out of analytics"
REFUSED = "refused: the URL's scheme or address is not allowed"
TIMEOUT = "timeout"
TLS_FAILED = "TLS failed"
CONNECTION_FAILED = "connection failed"
INVALID_RESPONSE = "invalid HTTP response"


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


class DeliveryFailed(Exception):
    pass


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


# --- Queueing, claiming, sweeping -------------------------------------------------------------


def sweep_after() -> timedelta:
    return timedelta(seconds=float(settings.SOCIOGRAPH_WEBHOOK_SWEEP_AFTER_SECONDS))


def queue_deliveries(run: MiningRun) -> list[int]:
    """One delivery per active webhook and finding of this run with a subscribed pattern (people
    who opted out are never sent, nor group findings of a context whose aggregates the release
    rule withholds). Sent by workers after the transaction commits; by the sweep if that task is
    lost."""
    created = []
    findings = Finding.objects.filter(run=run).exclude(subjects__analytics_opt_out=True)
    withheld = release_of(run).withheld_context_ids
    findings = findings.exclude(sensitive=False, context_id__in=withheld)
    due = timezone.now() + sweep_after()
    with transaction.atomic():
        for webhook in Webhook.objects.filter(is_active=True):
            for finding in findings.filter(pattern__in=webhook.patterns).order_by("id"):
                delivery, new = WebhookDelivery.objects.get_or_create(
                    webhook=webhook, finding=finding, defaults={"next_attempt_at": due}
                )
                if new:
                    created.append(delivery.pk)
        # Robust: a broker error for one delivery neither stops the others nor fails the mining
        # run (the sweep sends it later).
        for delivery_id in created:
            send = functools.partial(send_task, delivery_id, claim=0)
            transaction.on_commit(send, robust=True)
    return created


def send_task(
    delivery_id: int, claim: int, policy: RetryPolicy | None = None, countdown: float = 0
) -> None:
    """Queue the attempt after `claim` attempts with a retry policy (by default the one in force
    now), which travels with the task and its retries."""
    kwargs = {"claim": claim, **(policy or retry_policy())}
    current_app.send_task(DELIVER_TASK, (delivery_id,), kwargs, countdown=countdown)


def claim(delivery_id: int, attempts: int | None) -> WebhookDelivery | None:
    """The pending delivery with its attempt number `attempts + 1` taken by this task, or None
    if it is not pending or another task took that attempt first (a conditional UPDATE: a late,
    duplicated or swept task does not send it again). `attempts` None: whatever it is now (a
    task queued before claims travelled with it)."""
    pending = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
    if attempts is None:
        attempts = pending.values_list("attempts", flat=True).first()
    if attempts is None:
        return None
    lease = timezone.now() + timedelta(seconds=SEND_LEASE_SECONDS)
    taken = pending.filter(attempts=attempts).update(
        attempts=F("attempts") + 1, next_attempt_at=lease
    )
    if not taken:
        return None
    return WebhookDelivery.objects.select_related("webhook", "finding").get(pk=delivery_id)


def retry_later(delivery: WebhookDelivery, countdown: float, policy: RetryPolicy) -> None:
    """Queue the next attempt in `countdown` s; if the broker refuses, the sweep sends it."""
    delivery.next_attempt_at = timezone.now() + timedelta(seconds=countdown) + sweep_after()
    delivery.save(update_fields=["next_attempt_at"])
    try:
        send_task(delivery.pk, claim=delivery.attempts, policy=policy, countdown=countdown)
    except (OperationalError, OSError):
        logger.warning("webhook delivery %s: retry not queued, left to the sweep", delivery.pk)


def sweep(now: datetime | None = None) -> list[int]:
    """Queue the pending deliveries whose next attempt is overdue (their task was lost), each
    taken by a conditional UPDATE first so that two sweeps never both queue it."""
    now = now or timezone.now()
    overdue = Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
    pending = WebhookDelivery.objects.filter(overdue, status=DeliveryStatus.PENDING)
    rows = list(pending.order_by("id").values_list("pk", "attempts")[:SWEEP_BATCH])
    swept = []
    for delivery_id, attempts in rows:
        taken = pending.filter(pk=delivery_id, attempts=attempts).update(
            next_attempt_at=now + sweep_after()
        )
        if taken:
            send_task(delivery_id, claim=attempts)
            swept.append(delivery_id)
    return swept


# --- One attempt ------------------------------------------------------------------------------


def attempt(delivery: WebhookDelivery) -> None:
    """POST once (the attempt claimed); raises DeliveryFailed (after recording a generic reason)
    unless the receiver said 2xx."""
    if delivery.finding is None:  # erased since it was queued: nothing left to send
        _record(delivery, DeliveryStatus.FAILED, None, ERASED)
        return
    if delivery.finding.subjects.filter(analytics_opt_out=True).exists():
        # opted out since it was queued: people who opted out are never sent
        _record(delivery, DeliveryStatus.FAILED, None, OPTED_OUT)
        return
    try:
        target = destinations.vet(delivery.webhook.url)
    except destinations.Unresolvable:
        _failed_attempt(delivery, None, CONNECTION_FAILED)
    except destinations.RefusedUrl:  # saved before the rules, or its host resolves elsewhere now
        _record(delivery, DeliveryStatus.FAILED, None, REFUSED)
        return
    body = json.dumps(payload(delivery.finding), sort_keys=True).encode()
    code = _post(delivery, target, body)
    if 200 <= code < 300:
        _record(delivery, DeliveryStatus.DELIVERED, code, "")
        return
    _failed_attempt(delivery, code, f"HTTP {code}")  # 3xx included: redirects are not followed


def _post(delivery: WebhookDelivery, target: destinations.Target, body: bytes) -> int:
    """The receiver's status code; a failure to get one is recorded as a generic reason."""
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(delivery.webhook.secret, body),
        DELIVERY_HEADER: str(delivery.pk),
        "User-Agent": "Sociograph-Webhooks/1",
    }
    connection = pinned_connection(target)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        return int(connection.getresponse().status)
    except (OSError, http.client.HTTPException) as error:
        # The reason in the worker's log only: stored, it would tell which ports answer.
        logger.info("webhook delivery %s: %s: %s", delivery.pk, type(error).__name__, error)
        _failed_attempt(delivery, None, generic_reason(error))
    finally:
        connection.close()


def generic_reason(error: Exception) -> str:
    if isinstance(error, TimeoutError):
        return TIMEOUT
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return TLS_FAILED
    if isinstance(error, http.client.HTTPException):
        return INVALID_RESPONSE
    return CONNECTION_FAILED


def pinned_connection(target: destinations.Target) -> http.client.HTTPConnection:
    """A connection to the vetted addresses that names the host (Host header; SNI and the
    certificate check over https): the name is not resolved again."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        context = ssl.create_default_context()
        connection = http.client.HTTPSConnection(
            target.host, target.port, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=TIMEOUT_SECONDS)
    # http.client opens its socket through this attribute (for the plain and the TLS connection)
    connection._create_connection = functools.partial(  # type: ignore[attr-defined]
        _connect_to_first, target.addresses
    )
    return connection


def _connect_to_first(
    addresses: tuple[str, ...],
    address: tuple[str, int],
    timeout: float | None = None,
    source_address: tuple[str, int] | None = None,
) -> socket.socket:
    """socket.create_connection to the first of `addresses` that answers, on the port asked."""
    last: OSError = OSError("no address")
    for ip in addresses:
        try:
            return socket.create_connection((ip, address[1]), timeout, source_address)
        except OSError as error:
            last = error
    raise last


def give_up(delivery: WebhookDelivery) -> None:
    _record(delivery, DeliveryStatus.FAILED, delivery.response_status, delivery.last_error)


def _failed_attempt(delivery: WebhookDelivery, code: int | None, reason: str) -> NoReturn:
    _record(delivery, DeliveryStatus.PENDING, code, reason)
    raise DeliveryFailed(reason)


def _record(delivery: WebhookDelivery, state: str, code: int | None, error: str) -> None:
    delivery.status, delivery.response_status, delivery.last_error = state, code, error
    if state == DeliveryStatus.DELIVERED:
        delivery.delivered_at = timezone.now()
    # Not the attempts: claim() counted this one in the database.
    delivery.save(update_fields=["status", "response_status", "last_error", "delivered_at"])
