"""Writing to the outbox: call `record_change` inside the transaction that changes SQL."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from uuid import UUID

import redis
from django.conf import settings
from django.db import models, transaction

from sociograph.graph.models import OutboxEntry
from sociograph.graph.projection import spec_for_model

logger = logging.getLogger(__name__)

NUDGE_DEBOUNCE_KEY = "sociograph:graph-relay:nudged"
NUDGE_DEBOUNCE_SECONDS = 1


def record_change(model: type[models.Model], uuids: Iterable[UUID | str]) -> OutboxEntry | None:
    """Note that these entities changed (created, updated or deleted) in the current transaction."""
    listed = [str(value) for value in uuids]
    if not listed:
        return None
    entity = spec_for_model(model).entity
    entry = OutboxEntry.objects.create(entity=entity, uuids=listed)
    if settings.SOCIOGRAPH_GRAPH_NUDGE:
        transaction.on_commit(nudge_relay, robust=True)
    return entry


def nudge_relay() -> None:
    """Ask a worker to relay soon. Losing a nudge is harmless: Celery beat sweeps the outbox."""
    from sociograph.graph.tasks import relay_outbox

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        if client.set(NUDGE_DEBOUNCE_KEY, 1, nx=True, ex=NUDGE_DEBOUNCE_SECONDS):
            relay_outbox.apply_async()
    except redis.RedisError as error:
        logger.warning("graph relay not nudged (the beat sweep will catch up): %s", error)
