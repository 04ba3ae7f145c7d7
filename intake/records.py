"""What a source parser yields: records in our terms, each with its place in the source.

A parser reads one format (a Slack export, an mbox...) and yields, for every record it meets,
exactly one of: an event to store (`InteractionRecord`, `RecognitionRecord`), a record skipped by
a rule of the format (`Skipped`: a bot, an auto-reply), or a record it cannot read (`Rejected`).
`IdentityHint` tells the pipeline what a directory in the source says about an identifier (its
e-mail address) before records refer to it. Nothing is dropped without one of these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PersonRef:
    """A person as a source names them: an identifier in that source's namespace
    (`people.models.IdentitySource`), with the e-mail address when the source gives it."""

    source: str
    identifier: str
    email: str = ""
    name: str = ""

    def __str__(self) -> str:
        return f"{self.source}:{self.identifier}"


@dataclass(frozen=True)
class InteractionRecord:
    event_id: str  # the source's own id of the record: re-importing it changes nothing
    source: PersonRef
    target: PersonRef
    at: datetime  # aware
    channel: str  # recognition.models.Channel
    place: str
    weight: float = 1.0
    context: str = ""  # a context key, kind:name, created when missing


@dataclass(frozen=True)
class RecognitionRecord:
    event_id: str
    giver: PersonRef
    receiver: PersonRef
    at: datetime
    place: str
    values: tuple[str, ...] = ()
    context: str = ""
    message: str = ""  # kept only when SOCIOGRAPH_INTAKE_KEEP_RECOGNITION_MESSAGES is on


@dataclass(frozen=True)
class Skipped:
    rule: str  # why, in a few words: "bot", "auto-reply", "declined"...
    place: str


@dataclass(frozen=True)
class Rejected:
    reason: str
    place: str


@dataclass(frozen=True)
class IdentityHint:
    ref: PersonRef


IntakeItem = InteractionRecord | RecognitionRecord | Skipped | Rejected | IdentityHint


class SourceFormatError(Exception):
    """The source as a whole cannot be read (not a Slack export, no such folder...)."""
