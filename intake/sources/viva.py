"""Viva Insights person-to-person query (CSV) -> one weekly interaction per row, primary ->
secondary collaborator, weighted by `Strong_tie_score`. The person ids are Viva's hashed ids
(identity source `viva`): HR maps them to people; nothing else in the row is read."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from intake.records import IntakeItem, InteractionRecord, PersonRef, Rejected, Skipped
from intake.sources.times import midnight_utc
from people.models import IdentitySource
from recognition.models import Channel

PRIMARY = "PrimaryCollaborator_PersonId"
SECONDARY = "SecondaryCollaborator_PersonId"
DATE = "MetricDate"
SCORE = "Strong_tie_score"
COLUMNS = (PRIMARY, SECONDARY, DATE, SCORE)
DEFAULT_CHANNEL = Channel.MEETING


class VivaFormatError(ValueError):
    pass


def viva_items(path: Path, place: str, channel: str = DEFAULT_CHANNEL) -> Iterator[IntakeItem]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (rows.fieldnames or [])]
        if missing:
            raise VivaFormatError(f"not a Viva person-to-person query: no {', '.join(missing)}")
        for row in rows:
            yield _row(row, f"{place}:{rows.line_num}", channel)


def _row(row: dict[str, str], place: str, channel: str) -> IntakeItem:
    primary, secondary = (row.get(column, "").strip() for column in (PRIMARY, SECONDARY))
    if not primary or not secondary:
        return Rejected(f"no {PRIMARY} or {SECONDARY}", place)
    try:
        week = metric_date(row.get(DATE, ""))
    except ValueError:
        return Rejected(f"{DATE} {row.get(DATE)!r} is not a date (YYYY-MM-DD or M/D/YYYY)", place)
    text = (row.get(SCORE) or "").strip()
    try:
        score = float(text or 0)
    except ValueError:
        return Rejected(f"{SCORE} {text!r} is not a number", place)
    if not math.isfinite(score) or score < 0:
        return Rejected(f"{SCORE} {text!r} is not a positive number", place)
    if score == 0:
        return Skipped("no strong tie (score 0 or empty)", place)
    return InteractionRecord(
        f"viva:{primary}:{secondary}:{week.isoformat()}",
        PersonRef(IdentitySource.VIVA, primary),
        PersonRef(IdentitySource.VIVA, secondary),
        midnight_utc(week),
        channel,
        place,
        weight=score,
    )


def metric_date(text: str) -> date:
    """Viva writes dates as M/D/YYYY (its CSV exports) or YYYY-MM-DD."""
    text = text.strip()
    if "/" in text:
        return datetime.strptime(text, "%m/%d/%Y").date()
    return date.fromisoformat(text)
