"""Reading Microsoft Graph JSON exports item by item, without loading a whole file: a Graph page
(`{"value": [...], "@odata.nextLink": ...}`), a bare array, one resource, or several of these one
after another (JSON Lines included). Each item comes with the line it starts on."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from intake.records import PersonRef
from people.models import IdentitySource

CHUNK = 1 << 20
NEXT_LINK = "@odata.nextLink"
WHITE_SPACE = re.compile(r"[ \t\n\r]*")


class JsonStreamError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class JsonItem:
    value: Any
    line: int


@dataclass(frozen=True)
class PageLink:
    """A page's `@odata.nextLink`: the next page is not fetched, only noted."""

    line: int


class _Cursor:
    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.text = ""
        self.pos = 0
        self.line = 1
        self.at_end = False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.at_end:
            return False
        chunk = self.handle.read(CHUNK)
        if not chunk:
            self.at_end = True
            return False
        self.text = self.text[self.pos :] + chunk
        self.pos = 0
        return True

    def _advance(self, to: int) -> None:
        self.line += self.text.count("\n", self.pos, to)
        self.pos = to

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            blank = WHITE_SPACE.match(self.text, self.pos)
            self._advance(blank.end() if blank else self.pos)
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = self.text[self.pos : self.pos + 20] or "the end of the file"
            raise JsonStreamError(self.line, f"expected {char!r}, found {found!r}")
        self._advance(self.pos + 1)

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as error:
                if self._fill():
                    continue
                raise JsonStreamError(self.line, error.msg) from None
            if end == len(self.text) and self._fill():
                continue  # a number cut at the chunk's end would read short
            self._advance(end)
            return value


def graph_items(handle: IO[str]) -> Iterator[JsonItem | PageLink]:
    cursor = _Cursor(handle)
    if cursor.peek() not in ("[", "{"):
        raise JsonStreamError(cursor.line, "not JSON: expected an array or an object")
    while (char := cursor.peek()) != "":
        if char == "[":
            yield from _array(cursor)
        elif char == "{":
            yield from _object(cursor)
        else:
            yield JsonItem(cursor.value(), cursor.line)


def _array(cursor: _Cursor) -> Iterator[JsonItem]:
    cursor.expect("[")
    if cursor.peek() == "]":
        cursor.expect("]")
        return
    while True:
        cursor.peek()
        line = cursor.line
        yield JsonItem(cursor.value(), line)
        if cursor.peek() == "]":
            cursor.expect("]")
            return
        cursor.expect(",")


def _object(cursor: _Cursor) -> Iterator[JsonItem | PageLink]:
    """A page streams its `value`; any other object is one item, read whole."""
    start = cursor.line
    cursor.expect("{")
    members: dict[str, Any] = {}
    is_page = False
    while cursor.peek() != "}":
        if members or is_page:
            cursor.expect(",")
        key = cursor.value()
        cursor.expect(":")
        if key == "value" and cursor.peek() == "[":
            is_page = True
            yield from _array(cursor)
            continue
        cursor.peek()
        line = cursor.line
        members[str(key)] = cursor.value()
        if key == NEXT_LINK:
            yield PageLink(line)
    cursor.expect("}")
    if not is_page:
        yield JsonItem(members, start)


def graph_time(value: Any) -> datetime:
    """A Graph `DateTimeOffset` (ISO 8601, always with its zone) in UTC; ValueError otherwise."""
    if not isinstance(value, str) or not value:
        raise ValueError("missing")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return parsed.astimezone(UTC)


def teams_person(identity_set: Any) -> PersonRef | None:
    """The user of a Graph `identitySet` (`from`, `mentioned`, an endpoint's `identity`), if any."""
    user = identity_set.get("user") if isinstance(identity_set, dict) else None
    identifier = user.get("id") if isinstance(user, dict) else None
    if not isinstance(identifier, str) or not identifier.strip():
        return None
    name = user.get("displayName") if isinstance(user, dict) else ""
    return PersonRef(IdentitySource.TEAMS, identifier.strip(), name=name or "")
