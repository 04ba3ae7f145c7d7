"""One pipeline for every source: parsers yield records (intake.records); this resolves their
people and contexts and stores their events in batches, idempotently (the source's own record
ids become event keys), and reports what was accepted, skipped by which rule, and rejected where.
Memory stays flat: one batch of records is held at a time."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import transaction

from intake.identities import Found, Resolver, key_of, note_unresolved
from intake.records import (
    IdentityHint,
    IntakeItem,
    InteractionRecord,
    PersonRef,
    RecognitionRecord,
    Rejected,
    Skipped,
)
from people.models import parse_context_key
from people.services import ensure_contexts
from recognition.models import Channel
from recognition.services import EventInput, event_key, record_events

BATCH_SIZE = 2_000
MAP_IN_THE_ADMIN = "map it in the admin: Intake > Unresolved identities"
STORED_REJECTIONS = 10_000
EventRecord = InteractionRecord | RecognitionRecord


@dataclass
class IntakeReport:
    accepted: int = 0
    already_present: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rejected_count: int = 0
    rejections: list[tuple[str, str]] = field(default_factory=list)
    on_reject: Callable[[str, str], None] | None = None

    def count_skipped(self, rule: str) -> None:
        self.skipped[rule] += 1

    def reject(self, place: str, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejections) < STORED_REJECTIONS:
            self.rejections.append((place, reason))
        if self.on_reject is not None:
            self.on_reject(place, reason)

    @property
    def summary(self) -> str:
        rules = ", ".join(f"{rule} {count}" for rule, count in sorted(self.skipped.items()))
        skipped = f"{sum(self.skipped.values())}" + (f" ({rules})" if rules else "")
        return (
            f"accepted: {self.accepted}  already present: {self.already_present}  "
            f"skipped: {skipped}  rejected: {self.rejected_count}"
        )


class RecordProblem(ValueError):
    pass


def batches(items: Iterable[IntakeItem], size: int = BATCH_SIZE) -> Iterator[list[IntakeItem]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def run_intake(items: Iterable[IntakeItem], origin: str, report: IntakeReport) -> IntakeReport:
    """Store what `items` (one source's parser output) hold; `origin` names the source in the
    event keys ("slack", "mail"...), so that the same record id from two sources never collides."""
    intake = _Intake(origin, report)
    for batch in batches(items):
        intake.take(batch)
    return report


class _Intake:
    def __init__(self, origin: str, report: IntakeReport) -> None:
        self.origin = origin
        self.report = report
        self.people = Resolver()
        self.contexts: dict[str, tuple[int, str]] = {}
        self.keep_messages = bool(
            getattr(settings, "SOCIOGRAPH_INTAKE_KEEP_RECOGNITION_MESSAGES", False)
        )

    def take(self, batch: list[IntakeItem]) -> None:
        events: list[EventRecord] = []
        for item in batch:
            if isinstance(item, IdentityHint):
                self.people.hint(item.ref)
            elif isinstance(item, Skipped):
                self.report.count_skipped(item.rule)
            elif isinstance(item, Rejected):
                self.report.reject(item.place, item.reason)
            else:
                events.append(item)
        if events:
            self._store(events)

    def _store(self, events: list[EventRecord]) -> None:
        self.people.prefetch(ref for event in events for ref in _people_of(event))
        with transaction.atomic():
            self._prepare_contexts(events)
            inputs, unresolved = self._inputs(events)
            outcome = record_events(inputs)
            note_unresolved(unresolved, self.people)
        self.report.accepted += outcome.created
        self.report.already_present += len(outcome.already_present)

    def _prepare_contexts(self, events: list[EventRecord]) -> None:
        keys = {event.context for event in events if event.context} - self.contexts.keys()
        parsed = {}
        for key in keys:
            try:
                parsed[key] = parse_context_key(key)
            except ValueError:
                continue  # rejected with its reason when the event is built
        made = ensure_contexts(parsed.values())
        for key, kind_name in parsed.items():
            context = made[kind_name]
            self.contexts[key] = (context.pk, str(context.uuid))

    def _inputs(
        self, events: list[EventRecord]
    ) -> tuple[list[EventInput], list[tuple[PersonRef, str]]]:
        inputs: list[EventInput] = []
        unresolved: list[tuple[PersonRef, str]] = []
        for event in events:
            refs = _people_of(event)
            source, target = (self.people.resolve(key_of(ref)) for ref in refs)
            if source is None or target is None:
                ends = zip(refs, (source, target), strict=True)
                missing = [ref for ref, found in ends if found is None]
                problems = "; ".join(self.people.problem(ref) for ref in missing)
                self.report.reject(event.place, f"{problems} ({MAP_IN_THE_ADMIN})")
                unresolved += [(ref, event.place) for ref in missing]
                continue
            try:
                built = self._input(event, source, target)
            except RecordProblem as problem:
                self.report.reject(event.place, str(problem))
                continue
            if source == target:
                self.report.count_skipped("to oneself")
                continue
            inputs.append(built)
        return inputs, unresolved

    def _input(self, event: EventRecord, source: Found, target: Found) -> EventInput:
        if event.at.tzinfo is None:
            raise RecordProblem("time without a time zone")
        context_id, context_uuid = self._context(event.context)
        kind, specifics = self._specifics(event)
        return EventInput(
            kind=kind,
            source_id=source[0],
            target_id=target[0],
            at=event.at,
            event_key=event_key(kind, f"{self.origin}:{event.event_id}", ()),
            source_uuid=source[1],
            target_uuid=target[1],
            context_id=context_id,
            context_uuid=context_uuid,
            **specifics,
        )

    def _context(self, key: str) -> tuple[int | None, str | None]:
        if not key:
            return None, None
        if key not in self.contexts:
            try:
                parse_context_key(key)
            except ValueError as error:
                raise RecordProblem(f"context: {error}") from None
        return self.contexts[key]

    def _specifics(self, event: EventRecord) -> tuple[str, dict[str, Any]]:
        """The event's kind and the fields only that kind has."""
        if isinstance(event, RecognitionRecord):
            values = tuple(value for value in event.values if value.strip())
            return "recognition", {
                "values": values,
                "message": event.message if self.keep_messages else "",
            }
        if event.channel not in Channel.values:
            raise RecordProblem(f"channel {event.channel!r} is not one of {Channel.values}")
        if not (math.isfinite(event.weight) and event.weight > 0):
            raise RecordProblem(f"weight {event.weight} is not a positive number")
        return "interaction", {"weight": event.weight, "channel": event.channel}


def _people_of(event: EventRecord) -> tuple[PersonRef, PersonRef]:
    if isinstance(event, InteractionRecord):
        return event.source, event.target
    return event.giver, event.receiver
