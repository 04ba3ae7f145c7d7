"""Writes of recognitions, follows and interactions, one at a time or in bulk. Each batch is one
transaction with its outbox entries; events already stored (same event key) are skipped."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from django.db import transaction
from django.utils import timezone

from recognition.models import Follow, Interaction, Recognition
from sociograph.bulk import insert_rows
from sociograph.graph.outbox import record_change

KINDS = ("recognition", "follow", "interaction")


@dataclass(frozen=True)
class EventInput:
    kind: str
    source_id: int
    target_id: int
    at: datetime
    event_key: str
    context_id: int | None = None
    affect: float | None = None
    weight: float | None = None
    message: str = ""
    channel: str = ""
    values: tuple[str, ...] = ()
    until: datetime | None = None


@dataclass
class RecordOutcome:
    created: int = 0
    already_present: list[int] = field(default_factory=list)  # positions in the input


def event_key(kind: str, event_id: str, content: Sequence[object]) -> str:
    """Identity for idempotent imports: the source's event id when given, else the content."""
    basis = ["id", event_id] if event_id else ["content", *map(str, content)]
    return hashlib.sha256("\x1f".join([kind, *basis]).encode()).hexdigest()


# Per kind: the model, the columns written, and one event's values for them.
COLUMNS = {
    "recognition": (
        "uuid",
        "event_key",
        "created_at",
        "giver",
        "receiver",
        "context",
        "message",
        "values",
        "affect",
        "at",
    ),
    "follow": (
        "uuid",
        "event_key",
        "created_at",
        "follower",
        "leader",
        "context",
        "since",
        "until",
    ),
    "interaction": (
        "uuid",
        "event_key",
        "created_at",
        "source",
        "target",
        "context",
        "channel",
        "weight",
        "affect",
        "at",
    ),
}
MODELS: dict[str, type[Any]] = {
    "recognition": Recognition,
    "follow": Follow,
    "interaction": Interaction,
}


def _values(event: EventInput, identity: UUID, now: datetime) -> tuple[Any, ...]:
    common = (identity, event.event_key, now, event.source_id, event.target_id, event.context_id)
    if event.kind == "recognition":
        return (*common, event.message, list(event.values), event.affect, event.at)
    if event.kind == "follow":
        if event.context_id is None:
            raise ValueError("a follow needs a context")
        return (*common, event.at, event.until)
    weight = 1.0 if event.weight is None else event.weight
    return (*common, event.channel, weight, event.affect, event.at)


@transaction.atomic
def record_events(events: Sequence[EventInput]) -> RecordOutcome:
    """Store the events not stored yet, and their outbox entries, in one transaction."""
    outcome = RecordOutcome()
    for kind, model in MODELS.items():
        positions = [i for i, event in enumerate(events) if event.kind == kind]
        if not positions:
            continue
        keys = [events[i].event_key for i in positions]
        stored = set(model.objects.filter(event_key__in=keys).values_list("event_key", flat=True))
        fresh = [i for i in positions if events[i].event_key not in stored]
        outcome.already_present += [i for i in positions if events[i].event_key in stored]
        identities = [uuid4() for _ in fresh]
        now = timezone.now()
        inserted = insert_rows(
            model,
            COLUMNS[kind],
            (
                _values(events[i], identity, now)
                for i, identity in zip(fresh, identities, strict=True)
            ),
            # A concurrent import may store the same event between our check and our insert.
            skip_conflicts_on="event_key",
        )
        if inserted < len(fresh):
            kept = set(model.objects.filter(uuid__in=identities).values_list("uuid", flat=True))
            pairs = list(zip(fresh, identities, strict=True))
            outcome.already_present += [i for i, identity in pairs if identity not in kept]
            identities = [identity for _, identity in pairs if identity in kept]
        record_change(model, identities)
        outcome.created += len(identities)
    return outcome
