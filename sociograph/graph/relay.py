"""The relay: applies outbox entries to Neo4j, oldest first, one relay at a time.

An entry is deleted from SQL only after its Neo4j transaction committed. A crash in between
replays the entry, which is harmless: every write is an upsert or delete keyed by uuid and made
from the current SQL state. Relays are serialized by a Redis lock with a lease, so a killed
relay's lock expires by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import neo4j
import redis
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet

from sociograph.graph import gateway
from sociograph.graph.models import OutboxEntry
from sociograph.graph.projection import (
    ProjectionSpec,
    Row,
    as_relationship_row,
    chunked,
    spec_for,
)

logger = logging.getLogger(__name__)

LOCK_NAME = "sociograph:graph-relay:lock"
ENTRIES_PER_FETCH = 20
SNAPSHOT_CHUNK = 10_000  # relationships per Neo4j transaction when writing a snapshot


class RelayBusy(Exception):
    """Another relay holds the lock."""


class ProjectionError(Exception):
    """Neo4j could not be made to match SQL for an entry (e.g. an endpoint is missing)."""


@dataclass
class RelayReport:
    entries: int = 0
    upserted: int = 0
    deleted: int = 0
    by_entity: dict[str, int] = field(default_factory=dict)

    def count(self, entity: str, upserted: int, deleted: int) -> None:
        self.entries += 1
        self.upserted += upserted
        self.deleted += deleted
        self.by_entity[entity] = self.by_entity.get(entity, 0) + upserted + deleted


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)


@contextmanager
def relay_lock(wait_seconds: float | None = None) -> Iterator[Any]:
    """Hold the relay lock; RelayBusy when it is not free within `wait_seconds` (None: no wait)."""
    lease = settings.SOCIOGRAPH_RELAY_LEASE_SECONDS
    lock = _redis().lock(LOCK_NAME, timeout=lease, thread_local=False)
    acquired = lock.acquire(blocking=wait_seconds is not None, blocking_timeout=wait_seconds)
    if not acquired:
        raise RelayBusy("another graph relay is running")
    try:
        yield lock
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            logger.warning("graph relay lock expired before release (a slow entry?)")


def load_state(spec: ProjectionSpec, uuids: list[str]) -> list[Row]:
    queryset = spec.model._default_manager.filter(uuid__in=uuids)
    return list(spec.to_rows(queryset))


def write_state(
    spec: ProjectionSpec, rows: list[Row], gone: list[str], created_in_sql: bool = False
) -> None:
    """Upsert `rows` and delete `gone` in one Neo4j transaction. `created_in_sql`: the rows are
    an outbox snapshot of new rows, so creating the absent ones is usually all there is to do."""

    if spec.endpoints is not None:
        rows = [as_relationship_row(row, spec.endpoints) for row in rows]

    def created_all(tx: neo4j.ManagedTransaction) -> bool:
        if not created_in_sql or spec.create is None:
            return False
        return bool(tx.run(spec.create, rows=rows).single(strict=True)["created"] == len(rows))

    def work(tx: neo4j.ManagedTransaction) -> None:
        if rows and not created_all(tx):
            result = tx.run(spec.upsert, rows=rows)
            if spec.counts_written:
                written = result.single(strict=True)["written"]
                if written != len(rows):
                    raise ProjectionError(
                        f"{spec.entity}: {len(rows) - written} of {len(rows)} rows reference "
                        "people or contexts missing from the graph"
                    )
            else:
                result.consume()
        if gone:
            tx.run(spec.delete, uuids=gone).consume()

    with gateway.get_driver().session(database=settings.NEO4J["DATABASE"]) as session:
        session.execute_write(work)


def project(
    spec: ProjectionSpec,
    uuids: list[str],
    snapshot: list[Row] | None = None,
    keep_alive: Callable[[], object] = lambda: None,
) -> tuple[int, int]:
    """Make Neo4j match SQL for these entities (as of `snapshot`, when the entry has one).
    Returns (upserted, deleted).

    A snapshot (up to an import batch, 50,000 rows) is written in transactions of
    SNAPSHOT_CHUNK rows, calling `keep_alive` after each so the relay's lease outlives a large
    entry on a busy machine; a crash in between replays the entry, which creates what is missing.
    """
    if snapshot is not None:
        for rows in chunked(snapshot, SNAPSHOT_CHUNK):
            write_state(spec, rows, [], created_in_sql=True)
            keep_alive()
        return len(snapshot), 0
    rows = load_state(spec, uuids)
    present = {row["uuid"] for row in rows}
    gone = [value for value in uuids if value not in present]
    write_state(spec, rows, gone)
    return len(rows), len(gone)


# Failures that say nothing about the entry itself: the entry is retried as it is.
TRANSIENT = (
    neo4j.exceptions.ServiceUnavailable,
    neo4j.exceptions.SessionExpired,
    neo4j.exceptions.TransientError,
    redis.exceptions.ConnectionError,
    redis.exceptions.LockError,  # the relay's lease ran out: another relay may have taken over
)


def _note_failure(entry: OutboxEntry, error: Exception) -> None:
    """Record why an entry failed. Failures of the entry itself count towards parking it."""
    message = f"{type(error).__name__}: {error}"[:2000]
    entries = OutboxEntry.objects.filter(pk=entry.pk)
    if isinstance(error, TRANSIENT):
        entries.update(last_error=message)
    else:
        entries.update(attempts=F("attempts") + 1, last_error=message, snapshot=None)


def apply_entry(
    entry: OutboxEntry, report: RelayReport, keep_alive: Callable[[], object] = lambda: None
) -> None:
    spec = spec_for(entry.entity)
    try:
        upserted, deleted = project(spec, list(entry.uuids), entry.snapshot, keep_alive)
    except Exception as error:
        _note_failure(entry, error)
        raise
    with transaction.atomic():
        OutboxEntry.objects.filter(pk=entry.pk).delete()
    report.count(entry.entity, upserted, deleted)


def _drain(lock: Any, report: RelayReport, max_entries: int | None) -> None:
    while max_entries is None or report.entries < max_entries:
        # Ids first: an entry with a snapshot can hold thousands of rows, so one at a time.
        batch = list(relayable().order_by("id").values_list("id", flat=True)[:ENTRIES_PER_FETCH])
        if not batch:
            return
        for entry_id in batch:
            entry = OutboxEntry.objects.filter(pk=entry_id).first()
            if entry is None:  # deleted meanwhile (in the admin)
                continue
            apply_entry(entry, report, keep_alive=lambda: _renew(lock))
            _renew(lock)
            if max_entries is not None and report.entries >= max_entries:
                return


def _renew(lock: Any) -> None:
    lock.extend(settings.SOCIOGRAPH_RELAY_LEASE_SECONDS, replace_ttl=True)


def relay(wait_seconds: float | None = None, max_entries: int | None = None) -> RelayReport:
    """Apply pending outbox entries in order until none is left (or `max_entries` were applied)."""
    report = RelayReport()
    with relay_lock(wait_seconds) as lock:
        _drain(lock, report, max_entries)
    return report


def relayable() -> QuerySet[OutboxEntry]:
    """Entries not parked: one that failed MAX_ATTEMPTS times for a reason of its own (bad data,
    a bug) is set aside so that it cannot stop every later change, erasures included, from
    reaching Neo4j. Parked entries stay visible in the admin and `graph_reconcile` reports them."""
    return OutboxEntry.objects.filter(attempts__lt=settings.SOCIOGRAPH_RELAY_MAX_ATTEMPTS)


def parked_entries() -> int:
    return OutboxEntry.objects.filter(attempts__gte=settings.SOCIOGRAPH_RELAY_MAX_ATTEMPTS).count()


def pending_entries() -> int:
    return relayable().count()
