"""Writing to the outbox: call `record_change` inside the transaction that changes SQL."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import redis
from celery import current_app
from django.conf import settings
from django.db import models, router, transaction
from django.db.models.deletion import Collector

from sociograph.graph.models import OutboxEntry
from sociograph.graph.projection import CHUNK, Row, chunked, is_projected, spec_for_model

logger = logging.getLogger(__name__)

NUDGE_DEBOUNCE_KEY = "sociograph:graph-relay:nudged"
RELAY_TASK = "sociograph.graph.tasks.relay_outbox"
NUDGE_DEBOUNCE_SECONDS = 1


def record_change(
    model: type[models.Model], uuids: Iterable[UUID | str], snapshot: list[Row] | None = None
) -> OutboxEntry | None:
    """Note that these entities changed (created, updated or deleted) in the current transaction.

    `snapshot`: for rows created in this transaction only, their projected form (the spec's
    `to_rows` shape), which spares the relay from reading them back from SQL.
    """
    listed = [str(value) for value in uuids]
    if not listed:
        return None
    entity = spec_for_model(model).entity
    entry = OutboxEntry.objects.create(entity=entity, uuids=listed, snapshot=snapshot)
    if settings.SOCIOGRAPH_GRAPH_NUDGE:
        transaction.on_commit(nudge_relay, robust=True)
    return entry


def _uuids_of(objs: Any) -> tuple[type[models.Model], list[str]] | None:
    if isinstance(objs, models.QuerySet):
        model = objs.model
        return (
            (model, [str(u) for u in objs.values_list("uuid", flat=True)])
            if is_projected(model)
            else None
        )
    instances = list(objs)
    if not instances or not is_projected(type(instances[0])):
        return None
    return type(instances[0]), [str(instance.uuid) for instance in instances]


def delete_with_outbox(*objs: models.Model) -> None:
    """Delete like `Model.delete()`, and record in the outbox every projected row that the
    deletion removes or changes through cascades and SET_NULL, in the same transaction."""
    with transaction.atomic():
        collector = Collector(using=router.db_for_write(type(objs[0])), origin=objs[0])
        collector.collect(list(objs))
        touched: dict[type[models.Model], set[str]] = defaultdict(set)
        groups: list[Any] = [*collector.data.values(), *collector.fast_deletes]
        groups += [group for found in collector.field_updates.values() for group in found]
        for group in groups:
            found = _uuids_of(group)
            if found is not None:
                touched[found[0]].update(found[1])
        collector.delete()
        for model, uuids in touched.items():
            for chunk in chunked(sorted(uuids), CHUNK):
                record_change(model, chunk)


def clear_nudge_debounce() -> None:
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).delete(NUDGE_DEBOUNCE_KEY)
    except redis.RedisError as error:
        logger.warning("nudge debounce not cleared (the beat sweep will catch up): %s", error)


def nudge_relay() -> None:
    """Ask a worker to relay soon. Losing a nudge is harmless: Celery beat sweeps the outbox."""
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
        if client.set(NUDGE_DEBOUNCE_KEY, 1, nx=True, ex=NUDGE_DEBOUNCE_SECONDS):
            current_app.send_task(RELAY_TASK)  # by name: the task module imports this one
    except redis.RedisError as error:
        logger.warning("graph relay not nudged (the beat sweep will catch up): %s", error)
