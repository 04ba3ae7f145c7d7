"""Writes of recognitions, follows and interactions, one at a time or in bulk. Each batch is one
transaction with its outbox entries; events already stored (same event key) are skipped."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from recognition.models import Follow, Interaction, Recognition
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


def _build(event: EventInput) -> Recognition | Follow | Interaction:
    if event.kind == "recognition":
        return Recognition(
            giver_id=event.source_id,
            receiver_id=event.target_id,
            context_id=event.context_id,
            message=event.message,
            values=list(event.values),
            affect=event.affect,
            at=event.at,
            event_key=event.event_key,
        )
    if event.kind == "follow":
        if event.context_id is None:
            raise ValueError("a follow needs a context")
        return Follow(
            follower_id=event.source_id,
            leader_id=event.target_id,
            context_id=event.context_id,
            since=event.at,
            until=event.until,
            event_key=event.event_key,
        )
    if event.kind == "interaction":
        return Interaction(
            source_id=event.source_id,
            target_id=event.target_id,
            context_id=event.context_id,
            channel=event.channel,
            weight=1.0 if event.weight is None else event.weight,
            affect=event.affect,
            at=event.at,
            event_key=event.event_key,
        )
    raise ValueError(f"unknown event kind {event.kind!r}")


MODELS: dict[str, type[Any]] = {
    "recognition": Recognition,
    "follow": Follow,
    "interaction": Interaction,
}


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
        fresh = [_build(events[i]) for i in positions if events[i].event_key not in stored]
        outcome.already_present += [i for i in positions if events[i].event_key in stored]
        model.objects.bulk_create(fresh)
        record_change(model, [instance.uuid for instance in fresh])
        outcome.created += len(fresh)
    return outcome
