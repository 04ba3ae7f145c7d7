"""Microsoft Graph `callRecords/callRecord` objects (exported with `$expand=sessions`) -> one
interaction per session between two users, caller -> callee, weighted by its minutes. Only ids,
people and times are read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from intake.records import IntakeItem, InteractionRecord, Rejected, Skipped
from intake.sources.people import teams_person
from intake.sources.times import iso_utc
from recognition.models import Channel

SESSIONS_NEXT_LINK = "sessions@odata.nextLink"


def call_items(record: dict[str, Any], place: str) -> Iterator[IntakeItem]:
    record_id = record.get("id")
    if not isinstance(record_id, str) or not record_id:
        yield Rejected("callRecord without an id", place)
        return
    sessions = record.get("sessions")
    if SESSIONS_NEXT_LINK in record:
        yield Skipped(f"{SESSIONS_NEXT_LINK} not followed", place)
    if not isinstance(sessions, list) or not sessions:
        yield Skipped("call without sessions (export with $expand=sessions)", place)
        return
    for number, session in enumerate(sessions, start=1):
        yield _session(record_id, session, f"{place} session {number}")


def _session(record_id: str, session: Any, place: str) -> IntakeItem:
    if not isinstance(session, dict) or not session.get("id"):
        return Rejected("session without an id", place)
    caller, callee = session.get("caller"), session.get("callee")
    if _is_service(caller) or _is_service(callee):
        return Skipped("session with the conference service", place)
    source, target = teams_person(_identity(caller)), teams_person(_identity(callee))
    if source is None or target is None:
        return Skipped("phone or application endpoint", place)
    try:
        start = iso_utc(session.get("startDateTime"))
        end = iso_utc(session.get("endDateTime"))
    except ValueError as error:
        return Rejected(f"session start or end: {error}", place)
    minutes = (end - start).total_seconds() / 60
    if minutes < 0:
        return Rejected("session ends before it starts", place)
    if minutes == 0:
        return Skipped("zero-length session", place)
    event_id = f"call:{record_id}:{session['id']}"
    return InteractionRecord(event_id, source, target, start, Channel.CALL, place, weight=minutes)


def _is_service(endpoint: Any) -> bool:
    kind = endpoint.get("@odata.type", "") if isinstance(endpoint, dict) else ""
    return isinstance(kind, str) and kind.endswith("serviceEndpoint")


def _identity(endpoint: Any) -> Any:
    return endpoint.get("identity") if isinstance(endpoint, dict) else None
