"""`import_outcomes`: departures, pulse-survey answers and team results from a streamed CSV with
columns kind,subject,at,value,scale,context (docs/outcomes.md, "Outcomes as data").

Each rejected row is reported with its line, the column and the reason; the good rows are kept
(nothing with `atomic`). Importing a file again changes nothing: its rows are already present.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from outcomes.models import PERSON_KINDS, OutcomeKind
from outcomes.services import OutcomeInput, problems, record_outcomes
from people.models import Context, Person, parse_context_key
from people.periods import parse_day
from sociograph.graph.projection import chunked
from sociograph.ingest.importing import ImportReport, SourceRow, import_transaction, readable

OUTCOME_COLUMNS = ("kind", "subject", "at", "value", "scale", "context")
BATCH_SIZE = 2000
VOLUNTARY = {"voluntary": True, "involuntary": False, "": None}
_SCALE = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*")
# The service names the fields of an outcome; the file has these columns.
COLUMN_OF = {
    "kind": "kind",
    "person": "subject",
    "metric": "subject",
    "at": "at",
    "value": "value",
    "voluntary": "value",
    "scale": "scale",
    "context": "context",
}


class RowError(ValueError):
    pass


@dataclass
class Directory:
    """The people (by external_id) and contexts (by kind:name) a batch names, looked up once."""

    people: dict[str, Person] = field(default_factory=dict)
    contexts: dict[str, Context] = field(default_factory=dict)

    def prefetch(self, rows: Iterable[dict[str, str]]) -> None:
        rows = list(rows)
        subjects = {row["subject"] for row in rows if row.get("kind") in PERSON_KINDS}
        self.people = Person.objects.in_bulk(list(subjects), field_name="external_id")
        keys = {row["context"] for row in rows if row.get("context")}
        self.contexts = {context.key: context for context in _contexts(keys)}


def _contexts(keys: set[str]) -> list[Context]:
    wanted: dict[str, set[str]] = {}
    for key in keys:
        try:
            kind, name = parse_context_key(key)
        except ValueError:
            continue
        wanted.setdefault(kind, set()).add(name)
    found: list[Context] = []
    for kind, names in wanted.items():
        found += Context.objects.filter(kind=kind, name__in=names)
    return found


def parse_scale(text: str) -> tuple[float, float] | None:
    """`min-max` (e.g. `1-5`, `0-10`, `-2-2`), None when empty."""
    if not text:
        return None
    match = _SCALE.fullmatch(text)
    if match is None:
        raise RowError(f"scale: {text[:30]!r} is not min-max (e.g. 1-5)")
    low, high = float(match.group(1)), float(match.group(2))
    if low >= high:
        raise RowError(f"scale: {text!r}: the minimum must be below the maximum")
    return low, high


def parse_number(text: str) -> float | None:
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise RowError(f"value: {text[:30]!r} is not a number") from None
    if not math.isfinite(number):
        raise RowError(f"value: {text[:30]!r} is not a finite number")
    return number


def parse_outcome_row(values: dict[str, str], directory: Directory) -> OutcomeInput:
    kind = values["kind"]
    if kind not in OutcomeKind.values:
        raise RowError(f"kind: {kind[:30]!r} is not one of {', '.join(OutcomeKind.values)}")
    try:
        at = parse_day("at", values["at"])
    except ValueError as error:
        raise RowError(str(error)) from None
    if at is None:
        raise RowError("at: required (YYYY-MM-DD)")
    data = _typed(kind, at, values, directory)
    found = problems(data)
    if found:
        name, reason = found[0]
        raise RowError(f"{COLUMN_OF[name]}: {reason}")
    return data


def _typed(kind: str, at: date, values: dict[str, str], directory: Directory) -> OutcomeInput:
    subject, context_key = values["subject"], values["context"]
    person = None
    if kind in PERSON_KINDS:
        person = _person(subject, directory)
    context = _context(context_key, directory) if context_key else None
    if kind == OutcomeKind.DEPARTURE:
        return _departure(at, person, context, values)
    return OutcomeInput(
        kind=kind,
        at=at,
        person=person,
        context=context,
        metric="" if kind in PERSON_KINDS else subject,
        value=parse_number(values["value"]),
        scale=parse_scale(values["scale"]),
    )


def _departure(
    at: date, person: Person | None, context: Context | None, values: dict[str, str]
) -> OutcomeInput:
    text = values["value"].lower()
    if text not in VOLUNTARY:
        raise RowError(f"value: {values['value'][:30]!r} is not voluntary, involuntary or empty")
    return OutcomeInput(
        kind=OutcomeKind.DEPARTURE,
        at=at,
        person=person,
        context=context,
        scale=parse_scale(values["scale"]),
        voluntary=VOLUNTARY[text],
    )


def _person(external_id: str, directory: Directory) -> Person:
    if not external_id:
        raise RowError("subject: required (the person's external_id)")
    person = directory.people.get(external_id)
    if person is None:
        raise RowError(f"subject: {external_id[:50]!r} is not a known person (external_id)")
    return person


def _context(key: str, directory: Directory) -> Context:
    try:
        kind, name = parse_context_key(key)
    except ValueError as error:
        raise RowError(f"context: {error}") from None
    context = directory.contexts.get(f"{kind}:{name}")
    if context is None:
        raise RowError(f"context: {key[:50]!r} is not a known context")
    return context


def _import_batch(batch: list[SourceRow], report: ImportReport, seen: dict[str, int]) -> None:
    rows = list(readable(batch, report))
    directory = Directory()
    directory.prefetch(values for _, values in rows)
    inputs: list[OutcomeInput] = []
    for line, values in rows:
        try:
            data = parse_outcome_row(values, directory)
        except RowError as error:
            report.reject(line, str(error))
            continue
        if data.key in seen:
            report.reject(line, f"the same outcome as line {seen[data.key]}")
            continue
        seen[data.key] = line
        inputs.append(data)
    if inputs:
        recorded = record_outcomes(inputs)
        report.accepted += recorded.created + recorded.updated
        report.already_present += recorded.unchanged


def import_outcomes(
    rows: Iterable[SourceRow], report: ImportReport | None = None, atomic: bool = False
) -> ImportReport:
    """Import outcomes in batches; every rejected row is reported, every good row is kept (with
    `atomic`, nothing is kept unless no row is rejected)."""
    report = report or ImportReport()
    seen: dict[str, int] = {}  # outcome key -> the line that gave it
    with import_transaction(report, atomic):
        for batch in chunked(rows, BATCH_SIZE):
            _import_batch(batch, report, seen)
    return report
