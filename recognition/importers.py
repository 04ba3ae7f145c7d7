"""`import_events`: recognitions, follows and interactions from a streamed CSV, with every bad row
named by line and reason. Also the validation used by every other way events come in."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from people.models import Context, Person, parse_context_key
from recognition.models import Channel
from recognition.services import KINDS, EventInput, event_key, record_events
from sociograph.graph.projection import chunked
from sociograph.ingest.importing import ImportReport, SourceRow, import_transaction, readable

# Rows per transaction. A commit writes every index page its batch touched, and the foreign-key
# indexes are touched all over, so larger batches write each page fewer times (measured in
# docs/performance.md).
BATCH_SIZE = 50_000
MAX_MESSAGE_CHARS = 2000
CLOCK_SKEW = timedelta(minutes=5)
CHANNELS = frozenset(Channel.values)

# Which optional cells each kind may fill; anything else given is refused, never ignored.
ALLOWED = {
    "recognition": {"context", "affect", "message", "values", "event_id"},
    "follow": {"context", "until", "event_id"},
    "interaction": {"context", "affect", "weight", "channel", "event_id"},
}
OPTIONAL_CELLS = ("context", "affect", "weight", "message", "values", "channel", "until")


class RowError(ValueError):
    pass


class Directory:
    """External ids and context keys resolved to (primary key, uuid text), fetched per batch."""

    def __init__(self) -> None:
        self.people: dict[str, tuple[int, str]] = {}
        self.contexts: dict[str, tuple[int, str]] = {}

    def prefetch(self, rows: Iterable[dict[str, str]]) -> None:
        ids: set[str] = set()
        keys: set[str] = set()
        for row in rows:
            ids.update(row.get(name, "") for name in ("source", "target"))
            keys.add(row.get("context", ""))
        ids -= self.people.keys() | {""}
        keys -= self.contexts.keys() | {""}
        if ids:
            found = Person.objects.filter(external_id__in=ids).values_list(
                "external_id", "pk", "uuid"
            )
            self.people.update((key, (pk, str(uuid))) for key, pk, uuid in found)
        parsed = {key for key in map(_safe_key, keys) if key is not None}
        if parsed:
            names = {name for _, name in parsed}
            for pk, uuid, kind, name in Context.objects.filter(name__in=names).values_list(
                "pk", "uuid", "kind", "name"
            ):
                if (kind, name) in parsed:
                    self.contexts[f"{kind}:{name}"] = (pk, str(uuid))

    def person(self, column: str, external_id: str) -> tuple[int, str]:
        if not external_id:
            raise RowError(f"{column}: required")
        try:
            return self.people[external_id]
        except KeyError:
            raise RowError(f"{column}: {external_id!r} is not a known person") from None

    def context(self, text: str) -> tuple[int, str]:
        try:
            kind, name = parse_context_key(text)
        except ValueError as error:
            raise RowError(f"context: {error}") from None
        try:
            return self.contexts[f"{kind}:{name}"]
        except KeyError:
            raise RowError(f"context: {text!r} does not exist (import it with the org)") from None


def _safe_key(text: str) -> tuple[str, str] | None:
    try:
        return parse_context_key(text)
    except ValueError:
        return None


def parse_moment(column: str, text: str, now: datetime) -> datetime:
    if not text:
        raise RowError(f"{column}: required")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"{column}: {text!r} is not an ISO-8601 date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > now + CLOCK_SKEW:
        raise RowError(f"{column}: {text} is in the future")
    return moment


def parse_number(column: str, text: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowError(f"{column}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise RowError(f"{column}: {text!r} is not a finite number")
    return value


NOT_ALLOWED = {
    kind: tuple(column for column in (*OPTIONAL_CELLS, "event_id") if column not in allowed)
    for kind, allowed in ALLOWED.items()
}


def _check_cells_allowed(kind: str, row: dict[str, str]) -> None:
    for column in NOT_ALLOWED[kind]:
        if row.get(column):
            raise RowError(f"{column}: not used by {kind} rows (leave the cell empty)")


def _affect(row: dict[str, str]) -> float | None:
    affect = parse_number("affect", row.get("affect", ""))
    if affect is not None and not -1.0 <= affect <= 1.0:
        raise RowError(f"affect: {affect:g} is outside [-1, 1]")
    return affect


def _weight(row: dict[str, str]) -> float | None:
    weight = parse_number("weight", row.get("weight", ""))
    if weight is not None and weight <= 0:
        raise RowError(f"weight: {weight:g} must be greater than 0")
    return weight


def _channel(row: dict[str, str]) -> str:
    channel = row.get("channel", "")
    if channel and channel not in CHANNELS:
        raise RowError(f"channel: {channel!r} is not one of {', '.join(Channel.values)}")
    return channel


def _values(text: str) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(stripped for value in text.split(";") if (stripped := value.strip()))


def parse_event_row(row: dict[str, str], directory: Directory, now: datetime) -> EventInput:
    kind = row["kind"]
    if kind not in KINDS:
        raise RowError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    _check_cells_allowed(kind, row)
    source = directory.person("source", row["source"])
    target = directory.person("target", row["target"])
    if source == target:
        raise RowError(f"source and target are the same person (self-{kind})")
    context_id, context_uuid = directory.context(row["context"]) if row["context"] else (None, None)
    if kind == "follow" and context_id is None:
        raise RowError("context: a follow is always in a context")
    at = parse_moment("at", row["at"], now)
    until = parse_moment("until", row["until"], now) if row.get("until") else None
    if until is not None and until < at:
        raise RowError("until: before at (the follow's start)")
    message = row.get("message", "")
    if len(message) > MAX_MESSAGE_CHARS:
        raise RowError(f"message: longer than {MAX_MESSAGE_CHARS} characters")
    values = _values(row.get("values", ""))
    affect, weight, channel = _affect(row), _weight(row), _channel(row)
    content = (
        *(row["source"], row["target"], row["context"], at.isoformat(), affect, weight),
        *(channel, message, values, until),
    )
    return EventInput(
        kind=kind,
        source_id=source[0],
        target_id=target[0],
        at=at,
        event_key=event_key(kind, row.get("event_id", ""), content),
        source_uuid=source[1],
        target_uuid=target[1],
        context_uuid=context_uuid,
        context_id=context_id,
        affect=affect,
        weight=weight,
        message=message,
        channel=channel,
        values=values,
        until=until,
    )


def _import_batch(
    batch: list[SourceRow], report: ImportReport, directory: Directory, now: datetime
) -> None:
    directory.prefetch(row.values for row in batch if row.values is not None)
    events: list[EventInput] = []
    line_of_key: dict[str, int] = {}
    for line, values in readable(batch, report):
        try:
            event = parse_event_row(values, directory, now)
        except RowError as error:
            report.reject(line, str(error))
            continue
        if event.event_key in line_of_key:
            report.reject(line, f"duplicate of line {line_of_key[event.event_key]}")
            continue
        line_of_key[event.event_key] = line
        events.append(event)
    if events:
        outcome = record_events(events)
        report.accepted += outcome.created
        report.already_present += len(outcome.already_present)


def import_events(
    rows: Iterable[SourceRow],
    report: ImportReport | None = None,
    atomic: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import events in batches of one transaction each (or all in one with `atomic`)."""
    report = report or ImportReport()
    directory, now = Directory(), timezone.now()
    with import_transaction(report, atomic):
        for batch in chunked(rows, batch_size):
            _import_batch(batch, report, directory, now)
    return report
