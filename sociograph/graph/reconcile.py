"""Compare SQL with the projection entity by entity, repair drift, or rebuild from scratch.

Both sides are streamed in uuid order and merge-joined, so memory stays flat in the data size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from sociograph.graph import gateway, relay
from sociograph.graph.models import OutboxEntry
from sociograph.graph.outbox import record_change
from sociograph.graph.projection import CHUNK, ProjectionSpec, Row, all_specs, chunked
from sociograph.graph.schema import apply_schema
from sociograph.graph.services import wipe_graph

SAMPLE_SIZE = 5
RELAY_WAIT_SECONDS = 120


@dataclass
class EntityDrift:
    entity: str
    sql_count: int = 0
    graph_count: int = 0
    missing: list[str] = field(default_factory=list)  # in SQL, not in Neo4j
    extra: list[str] = field(default_factory=list)  # in Neo4j, not in SQL
    different: list[str] = field(default_factory=list)

    @property
    def drifted(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.different)

    def describe(self) -> str:
        parts = [f"{self.entity}: sql {self.sql_count}, neo4j {self.graph_count}"]
        for label, uuids in (
            ("missing", self.missing),
            ("extra", self.extra),
            ("different", self.different),
        ):
            if uuids:
                sample = ", ".join(uuids[:SAMPLE_SIZE])
                parts.append(f"{label} {len(uuids)} (e.g. {sample})")
        return "; ".join(parts)


def _normalized(row: Row) -> tuple[Any, ...]:
    def clean(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 9)
        if isinstance(value, list | tuple):
            return tuple(value)
        return value

    return tuple(sorted((key, clean(value)) for key, value in row.items()))


def _sql_rows(spec: ProjectionSpec) -> Iterator[Row]:
    return iter(spec.to_rows(spec.model._default_manager.order_by("uuid")))


def _graph_rows(spec: ProjectionSpec) -> Iterator[Row]:
    with gateway.get_driver().session(
        database=settings.NEO4J["DATABASE"], fetch_size=CHUNK
    ) as session:
        for record in session.run(spec.neo4j_state):
            yield record.data()


def compare(spec: ProjectionSpec) -> EntityDrift:
    drift = EntityDrift(spec.entity)
    sql, graph = _sql_rows(spec), _graph_rows(spec)
    left, right = next(sql, None), next(graph, None)
    while left is not None or right is not None:
        if right is None or (left is not None and left["uuid"] < right["uuid"]):
            assert left is not None
            drift.missing.append(left["uuid"])
            drift.sql_count += 1
            left = next(sql, None)
        elif left is None or right["uuid"] < left["uuid"]:
            drift.extra.append(str(right["uuid"]))
            drift.graph_count += 1
            right = next(graph, None)
        else:
            if _normalized(left) != _normalized(right):
                drift.different.append(left["uuid"])
            drift.sql_count += 1
            drift.graph_count += 1
            left, right = next(sql, None), next(graph, None)
    return drift


def compare_all() -> list[EntityDrift]:
    return [compare(spec) for spec in all_specs()]


def queue_repairs(drifts: list[EntityDrift]) -> int:
    """Put every drifted entity in the outbox; the relay then re-projects or deletes it."""
    queued = 0
    for drift in drifts:
        spec = next(spec for spec in all_specs() if spec.entity == drift.entity)
        for uuids in chunked(drift.missing + drift.extra + drift.different, CHUNK):
            with transaction.atomic():
                record_change(spec.model, uuids)
            queued += len(uuids)
    return queued


@dataclass
class ReconcileReport:
    """What `check_and_repair` did: the comparison of every entity kind, the repair, and the
    comparison after it. The `graph_reconcile` command prints it; the task returns it."""

    found: list[EntityDrift]
    relay_failure: str = ""  # the relay before comparing failed: pending changes look like drift
    parked: int = 0  # outbox entries the relay gave up on
    repaired: int | None = None  # entities re-projected; None when no repair was made
    repair_relay_failure: str = ""
    after_repair: list[EntityDrift] = field(default_factory=list)

    @property
    def drift_found(self) -> bool:
        return any(drift.drifted for drift in self.found)

    @property
    def in_sync(self) -> bool:
        """No drift at the end: none was found, or the repair removed it."""
        final = self.found if self.repaired is None else self.after_repair
        return not any(drift.drifted for drift in final)

    def lines(self) -> list[str]:
        lines = [_relay_failed(self.relay_failure)] if self.relay_failure else []
        if self.parked:
            lines.append(f"{self.parked} outbox entries are parked after repeated failures")
        lines += [drift.describe() for drift in self.found]
        if self.repaired is not None:
            if self.repair_relay_failure:
                lines.append(_relay_failed(self.repair_relay_failure))
            lines.append(f"repaired: re-projected {self.repaired} entities; after repair:")
            lines += [drift.describe() for drift in self.after_repair]
        if self.in_sync:
            lines.append("no drift")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "in_sync": self.in_sync,
            "relay_failure": self.relay_failure,
            "parked": self.parked,
            "checked": _counts(self.found),
            "repaired": self.repaired,
            "repair_relay_failure": self.repair_relay_failure,
            "after_repair": _counts(self.after_repair),
            "lines": self.lines(),
        }


def _relay_failed(failure: str) -> str:
    return f"relay failed: {failure}"


def _counts(drifts: list[EntityDrift]) -> dict[str, dict[str, int]]:
    return {
        drift.entity: {
            "sql": drift.sql_count,
            "neo4j": drift.graph_count,
            "missing": len(drift.missing),
            "extra": len(drift.extra),
            "different": len(drift.different),
        }
        for drift in drifts
    }


def _relay_all() -> str:
    """Relay what is pending (pending is not drift); a failure is reported, not raised: the
    comparison then shows what did not reach Neo4j."""
    try:
        relay.relay(wait_seconds=RELAY_WAIT_SECONDS)
    except Exception as error:  # noqa: BLE001 - reported in the report
        return f"{type(error).__name__}: {error}"
    return ""


def check_and_repair(repair: bool = True) -> ReconcileReport:
    """Relay, compare every entity kind, and (unless `repair` is False) put each drifted entity
    in the outbox, relay it and compare again."""
    relay_failure = _relay_all()
    report = ReconcileReport(
        found=compare_all(), relay_failure=relay_failure, parked=relay.parked_entries()
    )
    if repair and report.drift_found:
        report.repaired = queue_repairs(report.found)
        report.repair_relay_failure = _relay_all()
        report.after_repair = compare_all()
    return report


def rebuild(wait_seconds: float = 60) -> dict[str, int]:
    """Recreate the projection from SQL. Holds the relay lock, so nothing interleaves."""
    counts: dict[str, int] = {}
    with relay.relay_lock(wait_seconds) as lock:
        # The entries committed before we read SQL; not "every id up to the highest": on
        # PostgreSQL a lower id can commit later, and its change must still be relayed.
        seen = list(OutboxEntry.objects.values_list("id", flat=True))
        wipe_graph()
        apply_schema()
        for spec in all_specs():
            counts[spec.entity] = 0
            for rows in chunked(_sql_rows(spec), CHUNK):
                relay.write_state(spec, rows, [])
                counts[spec.entity] += len(rows)
                lock.extend(settings.SOCIOGRAPH_RELAY_LEASE_SECONDS, replace_ttl=True)
        for ids in chunked(seen, CHUNK):
            OutboxEntry.objects.filter(id__in=ids).delete()  # later ones are replayed on top
    return counts
