"""A Microsoft Teams / Graph export: `chatMessage` and `callRecord` objects in JSON (a Graph page,
a bare array, one object, or JSON Lines), and Viva Insights person-to-person queries (CSV), in
one file or a folder of them (read in name order). Graph user objects (`--users`) give the
e-mail address of each Graph id, for people not yet mapped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from intake.records import IdentityHint, IntakeItem, PersonRef, Rejected, Skipped, SourceFormatError
from intake.sources.files import SourceFile, source_files
from intake.sources.json_stream import (
    JsonItem,
    JsonPart,
    JsonStreamError,
    Unreadable,
    Wrapper,
    json_items,
)
from intake.sources.teams_calls import call_items
from intake.sources.teams_messages import MessageReader
from intake.sources.viva import DEFAULT_CHANNEL, VivaFormatError, viva_items
from people.models import IdentitySource

JSON_LINES = (".jsonl", ".ndjson")
READ_IN_A_FOLDER = (".json", ".csv", *JSON_LINES)
NOT_READ = "not a .json, .jsonl or .csv file"
NEXT_LINK = "@odata.nextLink"
NEXT_PAGE = f"{NEXT_LINK} not followed"
GRAPH_PAGE = Wrapper(
    "value", first_keys=frozenset({"@odata.context", "@odata.count", NEXT_LINK, "@odata.deltaLink"})
)


class _Export:
    def __init__(self, viva_channel: str) -> None:
        self.messages = MessageReader()
        self.viva_channel = viva_channel

    def read(self, path: Path) -> Iterator[IntakeItem]:
        for file in source_files(path, READ_IN_A_FOLDER, other_kinds=NOT_READ):
            yield from self._file(file) if isinstance(file, SourceFile) else [file]
        yield from self.messages.finish()

    def _file(self, file: SourceFile) -> Iterator[IntakeItem]:
        try:
            if file.path.suffix.lower() == ".csv":
                yield from viva_items(file.path, file.place, self.viva_channel)
            else:
                yield from self._json(file)
        except (VivaFormatError, UnicodeDecodeError) as error:
            yield file.not_read(f"file not read: {error}")

    def _json(self, file: SourceFile) -> Iterator[IntakeItem]:
        lines = file.path.suffix.lower() in JSON_LINES
        read_any = False
        try:
            for part in json_items(file.path, GRAPH_PAGE, json_lines=lines):
                read_any = True
                yield from self._part(part, f"{file.place}:{part.line}")
        except JsonStreamError as error:
            problem = f"line {error.line}: {error}"
            if file.alone and not read_any:
                raise SourceFormatError(f"not a Graph JSON export: {problem}") from None
            reason = f"unreadable JSON, the rest of the file is not read: {problem}"
            yield Rejected(reason, file.place)

    def _part(self, part: JsonPart, place: str) -> Iterator[IntakeItem]:
        if isinstance(part, JsonItem):
            yield from self._object(part.value, place)
        elif isinstance(part, Unreadable):
            yield Rejected(part.reason, place)
        elif part.key == NEXT_LINK:
            yield Skipped(NEXT_PAGE, place)

    def _object(self, value: Any, place: str) -> Iterator[IntakeItem]:
        kind = value.get("@odata.type", "") if isinstance(value, dict) else ""
        if not isinstance(value, dict) or not isinstance(kind, str):
            yield Rejected("not a Graph object", place)
        elif "messageType" in value or kind.endswith("chatMessage"):
            yield from self.messages.read(value, place)
        elif "sessions" in value or kind.endswith("callRecord") or "organizer" in value:
            yield from call_items(value, place)
        elif "userPrincipalName" in value or kind.endswith(".user"):
            yield user_hint(value, place)
        else:
            yield Rejected("neither a chatMessage, a callRecord nor a user", place)


def teams_items(
    path: Path, users: Path | None = None, viva_channel: str = DEFAULT_CHANNEL
) -> Iterator[IntakeItem]:
    if users is not None:
        yield from users_items(users)
    yield from _Export(viva_channel).read(path)


def users_items(path: Path) -> Iterator[IntakeItem]:
    """Graph `user` objects -> who each Graph id is, with their e-mail address."""
    try:
        for part in json_items(path, GRAPH_PAGE):
            if isinstance(part, Unreadable):
                raise JsonStreamError(part.reason, part.line)
            if isinstance(part, JsonItem):
                yield user_hint(part.value, f"{path.name}:{part.line}")
    except (JsonStreamError, OSError) as error:
        raise SourceFormatError(f"users file {path}: {error}") from None


def user_hint(user: Any, place: str) -> IntakeItem:
    identifier = user.get("id") if isinstance(user, dict) else None
    if not isinstance(identifier, str) or not identifier.strip():
        return Rejected("user without an id", place)
    name = user.get("displayName") or ""
    ref = PersonRef(IdentitySource.TEAMS, identifier.strip(), _email(user), str(name))
    return IdentityHint(ref)


def _email(user: dict[str, Any]) -> str:
    """`mail`, else the sign-in name when it is an address of the tenant (a guest's
    `ana_example.org#EXT#@tenant.onmicrosoft.com` is not anybody's mailbox)."""
    for candidate in (user.get("mail"), user.get("userPrincipalName")):
        if isinstance(candidate, str) and "@" in candidate and "#EXT#" not in candidate.upper():
            return candidate.strip()
    return ""
