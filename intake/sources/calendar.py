"""Who met whom, from iCalendar files (RFC 5545; docs/intake.md, "Calendars").

Every occurrence of a meeting in the window (recurrences expanded, exceptions applied) links its
organizer to each attendee who accepted, channel `meeting`, with the meeting's hours shared among
them: weight = duration in hours / (n - 1), n = the organizer and the attendees who accepted.
Occurrences are keyed by UID (and RECURRENCE-ID for a recurring meeting), so the same meeting
in several people's calendars is stored once. Only times, people and their answers are read:
never a summary, description, location or any other text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events

from intake.identities import normalized_email
from intake.records import IntakeItem, InteractionRecord, Rejected, Skipped, SourceFormatError
from intake.sources.domains import is_external
from intake.sources.files import SourceFile, source_files
from intake.sources.people import email_person
from intake.sources.times import as_utc, midnight_utc
from recognition.models import Channel

HOUR = timedelta(hours=1)
RECURRING = ("RRULE", "RDATE", "RECURRENCE-ID")
NOT_PEOPLE = {"ROOM": "room or resource", "RESOURCE": "room or resource", "GROUP": "group"}
ANSWERS = {"DECLINED": "declined", "TENTATIVE": "tentative", "DELEGATED": "delegated"}
MAILTO = "mailto:"


@dataclass(frozen=True)
class CalendarRules:
    since: date
    until: date  # included
    internal_domains: frozenset[str] = frozenset()  # empty: every address is looked up

    def is_external(self, address: str) -> bool:
        return is_external(address, self.internal_domains)

    @property
    def start(self) -> datetime:
        return midnight_utc(self.since)

    @property
    def end(self) -> datetime:
        return midnight_utc(self.until + timedelta(days=1))

    def holds(self, at: datetime) -> bool:
        return self.start <= at < self.end


def read_calendars(path: Path, rules: CalendarRules) -> Iterator[IntakeItem]:
    """The occurrences in the window of every VEVENT of the .ics file, or of every .ics file in
    the folder (and its subfolders, in name order). Each file is parsed whole, one at a time."""
    found = False
    for file in source_files(path, (".ics",)):
        if isinstance(file, SourceFile):
            found = True
            yield from _file_items(file, rules)
    if not found:
        raise SourceFormatError("no .ics file in it")


def _file_items(file: SourceFile, rules: CalendarRules) -> Iterator[IntakeItem]:
    try:
        calendars = icalendar.Calendar.from_ical(file.path.read_bytes(), multiple=True)
        occurrences = [
            (event, _recurring_uids(calendar))
            for calendar in calendars
            for event in _occurrences(calendar, rules)
        ]
    except ValueError as error:
        yield file.not_read(f"not a readable iCalendar file: {error}")
        return
    for event, recurring in occurrences:
        yield from _occurrence_items(event, file.place, rules, recurring)


def _occurrences(calendar: icalendar.Calendar, rules: CalendarRules) -> list[Any]:
    query = recurring_ical_events.of(calendar, keep_recurrence_attributes=False)
    found: list[Any] = query.between(rules.start, rules.end)
    return found


def _recurring_uids(calendar: icalendar.Calendar) -> frozenset[str]:
    return frozenset(
        str(event.get("UID", ""))
        for event in calendar.walk("VEVENT")
        if any(name in event for name in RECURRING)
    )


@dataclass(frozen=True)
class _Meeting:
    occurrence_id: str
    organizer: str
    at: datetime
    hours: float
    place: str


def _occurrence_items(
    event: Any, name: str, rules: CalendarRules, recurring: frozenset[str]
) -> Iterator[IntakeItem]:
    uid = str(event.get("UID", ""))
    start = event.get("DTSTART").dt
    place = f"{name} {uid or '(no UID)'} {start.isoformat()}"
    if not isinstance(start, datetime):
        yield Skipped("all-day", place)
        return
    at = as_utc(start)
    if not rules.holds(at):
        return  # began before the window, ends in it: it belongs to the window before
    if rule := _meeting_rule(event):
        yield Skipped(rule, place)
        return
    if not uid:
        yield Rejected("an event without UID", place)
        return
    organizer = _address(event.get("ORGANIZER"))
    if rule := _organizer_rule(organizer, rules):
        yield Skipped(rule, place)
        return
    answers = _answers(event, organizer, rules)
    if not answers:
        yield Skipped("no attendees", place)
        return
    hours = event.duration / HOUR
    meeting = _Meeting(_occurrence_id(event, uid, recurring), organizer, at, hours, place)
    yield from _attendee_items(meeting, answers)


def _meeting_rule(event: Any) -> str | None:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return "cancelled"
    if event.duration <= timedelta(0):
        return "no duration"
    return None


def _organizer_rule(organizer: str, rules: CalendarRules) -> str | None:
    if not organizer:
        return "no organizer"
    if rules.is_external(organizer):
        return "external organizer"
    return None


@dataclass(frozen=True)
class _Answer:
    attendee: str  # the address, or the ATTENDEE value when it holds none
    rule: str | None  # why no edge; None: an edge
    readable: bool = True

    @property
    def took_part(self) -> bool:
        return self.rule in (None, "external attendee")


def _answers(event: Any, organizer: str, rules: CalendarRules) -> list[_Answer]:
    """Each attendee once, except the organizer (often listed among them)."""
    answers: dict[str, _Answer] = {}
    for attendee in _as_list(event.get("ATTENDEE")):
        address = _address(attendee)
        if address != organizer:
            answers.setdefault(address or str(attendee), _answer(attendee, address, rules))
    return list(answers.values())


def _answer(attendee: Any, address: str, rules: CalendarRules) -> _Answer:
    params = attendee.params
    kind = str(params.get("CUTYPE", "INDIVIDUAL")).upper()
    answer = str(params.get("PARTSTAT", "NEEDS-ACTION")).upper()
    if kind in NOT_PEOPLE:
        return _Answer(address, NOT_PEOPLE[kind])
    if not address:
        return _Answer(str(attendee)[:80], "no e-mail address", readable=False)
    if str(params.get("ROLE", "")).upper() == "NON-PARTICIPANT":
        return _Answer(address, "non-participant")
    if answer != "ACCEPTED":
        return _Answer(address, ANSWERS.get(answer, "not answered"))
    if rules.is_external(address):
        return _Answer(address, "external attendee")
    return _Answer(address, None)


def _attendee_items(meeting: _Meeting, answers: list[_Answer]) -> Iterator[IntakeItem]:
    taking_part = sum(answer.took_part for answer in answers)
    for answer in answers:
        if not answer.readable:
            yield Rejected(f"attendee {answer.attendee!r} without an e-mail address", meeting.place)
        elif answer.rule is not None:
            yield Skipped(answer.rule, meeting.place)
        else:
            yield _edge(meeting, answer.attendee, meeting.hours / taking_part)


def _edge(meeting: _Meeting, attendee: str, weight: float) -> InteractionRecord:
    return InteractionRecord(
        event_id=f"{meeting.occurrence_id} {attendee}",
        source=email_person(meeting.organizer),
        target=email_person(attendee),
        at=meeting.at,
        channel=Channel.MEETING.value,
        place=meeting.place,
        weight=weight,
    )


def _occurrence_id(event: Any, uid: str, recurring: frozenset[str]) -> str:
    """The UID; for an occurrence of a recurring meeting, with its RECURRENCE-ID (its start
    before any move), the same in every calendar holding it."""
    if uid not in recurring:
        return uid
    recurrence = event.get("RECURRENCE-ID").dt
    when = as_utc(recurrence).isoformat() if isinstance(recurrence, datetime) else str(recurrence)
    return f"{uid} {when}"


def _address(value: Any) -> str:
    text = str(value or "").strip()
    if not text.lower().startswith(MAILTO):
        return ""
    address = normalized_email(text[len(MAILTO) :])
    return address if "@" in address else ""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
