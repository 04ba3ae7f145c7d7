"""Writes of recognitions, follows and interactions, one at a time or in bulk. Each batch is one
transaction with its outbox entries; events already stored (same event key) are skipped."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from people.models import Person
from recognition.models import Follow, Interaction, Recognition
from recognition.projection import follow_row, interaction_row, recognition_row
from sociograph.graph.outbox import delete_with_outbox, record_change
from sociograph.graph.projection import Row
from sociograph.ingest.bulk import insert_rows
from sociograph.ingest.ids import uuid7_texts

KINDS = ("recognition", "follow", "interaction")
AnyEvent = Recognition | Follow | Interaction
SomeEvent = TypeVar("SomeEvent", Recognition, Follow, Interaction)


@dataclass(frozen=True)
class EventInput:
    kind: str
    source_id: int
    target_id: int
    at: datetime
    event_key: str
    # The uuids of the people and context, for the outbox snapshot of the projected event.
    source_uuid: str
    target_uuid: str
    context_uuid: str | None = None
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
    uuids: dict[int, str] = field(default_factory=dict)  # position -> uuid of each created event


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


def _values(event: EventInput, identity: str, now: datetime) -> tuple[Any, ...]:
    common = (identity, event.event_key, now, event.source_id, event.target_id, event.context_id)
    if event.kind == "recognition":
        return (*common, event.message, list(event.values), event.affect, event.at)
    if event.kind == "follow":
        if event.context_id is None:
            raise ValueError("a follow needs a context")
        return (*common, event.at, event.until)
    return (*common, event.channel, _weight(event), event.affect, event.at)


def _weight(event: EventInput) -> float:
    return 1.0 if event.weight is None else event.weight


def _projected(event: EventInput, identity: str) -> Row:
    """The event as the relay would read it back from SQL (see recognition/projection.py)."""
    ends = (identity, event.source_uuid, event.target_uuid)
    if event.kind == "recognition":
        return recognition_row(
            *ends, event.at, event.context_uuid, event.affect, list(event.values)
        )
    if event.kind == "follow":
        return follow_row(*ends, event.context_uuid, event.at, event.until)
    return interaction_row(
        *ends, event.at, event.context_uuid, event.channel, _weight(event), event.affect
    )


def _stored(model: type[Any], identities: list[str]) -> set[str]:
    return {
        str(value)
        for value in model.objects.filter(uuid__in=identities).values_list("uuid", flat=True)
    }


@transaction.atomic
def record_events(events: Sequence[EventInput]) -> RecordOutcome:
    """Store the events not stored yet, and their outbox entries, in one transaction.

    An event whose key is already stored is skipped by the INSERT itself (ON CONFLICT DO
    NOTHING); only when the insert wrote fewer rows than given are the kept ones looked up.
    """
    outcome = RecordOutcome()
    for kind, model in MODELS.items():
        positions = [i for i, event in enumerate(events) if event.kind == kind]
        if not positions:
            continue
        identities = uuid7_texts(len(positions))
        now = timezone.now()
        inserted = insert_rows(
            model,
            COLUMNS[kind],
            (
                _values(events[i], identity, now)
                for i, identity in zip(positions, identities, strict=True)
            ),
            skip_conflicts_on="event_key",
        )
        pairs = list(zip(positions, identities, strict=True))
        if inserted < len(positions):
            kept = _stored(model, identities)
            outcome.already_present += [i for i, identity in pairs if identity not in kept]
            pairs = [(i, identity) for i, identity in pairs if identity in kept]
        record_change(
            model,
            [identity for _, identity in pairs],
            snapshot=[_projected(events[i], identity) for i, identity in pairs],
        )
        outcome.created += len(pairs)
        outcome.uuids.update(pairs)
    return outcome


@transaction.atomic
def end_follow(follow: Follow, until: datetime | None) -> Follow:
    """Set (or clear, with None) when a follow ended; the follower decides."""
    if until is not None and until < follow.since:
        raise ValueError("before the follow's start (since)")
    follow.until = until
    follow.save(update_fields=["until"])
    record_change(Follow, [follow.uuid])
    return follow


@transaction.atomic
def save_event(event: SomeEvent) -> SomeEvent:
    """Store one new or changed event as a form left it (checked like the model says), with its
    outbox entry."""
    event.full_clean()
    event.save()
    record_change(type(event), [event.uuid])
    return event


@transaction.atomic
def delete_events(*events: AnyEvent) -> None:
    """Delete recognitions, follows and interactions (of any kinds), in the outbox."""
    for model in MODELS.values():
        of_model = [event for event in events if type(event) is model]
        if of_model:
            delete_with_outbox(*of_model)


# The two people of each kind of event, by field name.
ENDS = {
    "recognition": ("giver", "receiver"),
    "follow": ("follower", "leader"),
    "interaction": ("source", "target"),
}


@transaction.atomic
def move_events(absorbed: Person, keep: Person) -> dict[str, int]:
    """Make `keep` the person at either end of `absorbed`'s events (a merge of two records of one
    person). Events between the two would become self-edges: they are deleted. Moved events are
    recorded in the outbox, and the relay re-attaches their relationships in Neo4j. Returns how
    many events of each kind moved."""
    moved: dict[str, int] = {}
    for kind, model in MODELS.items():
        first, second = ENDS[kind]
        between = model.objects.filter(
            models.Q(**{first: absorbed, second: keep})
            | models.Q(**{first: keep, second: absorbed})
        )
        delete_events(*between)
        identities: list[Any] = []
        for end in (first, second):
            touched = model.objects.filter(**{end: absorbed})
            identities += list(touched.values_list("uuid", flat=True))
            touched.update(**{end: keep})
        record_change(model, identities)
        moved[kind] = len(identities)
    return moved
