"""Reading a large JSON export one record at a time, with the standard library only.

Shapes read: a bare array; a wrapper object whose records are in one array member (Bonusly's
`{"success": true, "result": [...]}`, a Graph page `{"value": [...], "@odata.nextLink": ...}`),
its other members surfaced as `OuterField`s; a single object; several of these one after another;
and JSON Lines (one value a line). A document is decoded value by value from a bounded buffer, so
memory holds one record (and one chunk) whatever the size of the file; every record comes with the
line it starts on. In JSON Lines a broken line is `Unreadable` and reading goes on; in a document,
a break makes the rest unreadable (`JsonStreamError`, after the records before it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from intake.records import SourceFormatError

CHUNK_CHARS = 1 << 20
LARGEST_RECORD_CHARS = 64 << 20
SPACE = " \t\r\n"
FIRST_KEY = re.compile(r'\{\s*"([^"\\]*)"')


@dataclass(frozen=True)
class Wrapper:
    """How a source's wrapper object looks: `array_key` holds the records; an object whose
    first key is one of `first_keys` (or `array_key`) is a wrapper, any other is a record."""

    array_key: str
    first_keys: frozenset[str] = frozenset()

    def starts(self, key: str) -> bool:
        return key == self.array_key or key in self.first_keys


@dataclass(slots=True)
class JsonItem:
    value: Any
    line: int  # the line it starts on
    number: int = 0  # its rank among the records of a document; 0 in JSON Lines

    @property
    def position(self) -> str:
        return f"item {self.number}" if self.number else f"line {self.line}"


@dataclass(frozen=True)
class OuterField:
    """A member of a wrapper object other than its records ("success", "@odata.nextLink")."""

    key: str
    value: Any
    line: int


@dataclass(frozen=True)
class Unreadable:
    """A JSON Lines line that is not JSON; the next lines are read."""

    reason: str
    line: int

    @property
    def position(self) -> str:
        return f"line {self.line}"


JsonPart = JsonItem | OuterField | Unreadable


class JsonStreamError(SourceFormatError):
    """The rest of the file cannot be read, from `line` on."""

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.line = line


def json_items(
    path: Path, wrapper: Wrapper, json_lines: bool = False, chunk_chars: int = CHUNK_CHARS
) -> Iterator[JsonPart]:
    """Every record of the file, in order; `json_lines` reads it as JSON Lines whatever its
    first line holds (otherwise a file is JSON Lines when its first object fills its line)."""
    with path.open(encoding="utf-8-sig") as handle:
        reader = _StreamReader(handle, chunk_chars)
        if json_lines:
            yield from reader.json_lines()
        else:
            yield from _Documents(reader, wrapper).items()


class _Documents:
    """The top-level values of a file, one after another, as records."""

    def __init__(self, reader: _StreamReader, wrapper: Wrapper) -> None:
        self.reader = reader
        self.wrapper = wrapper

    def items(self) -> Iterator[JsonPart]:
        reader = self.reader
        opening = reader.peek()
        if not opening:
            raise reader.error("the file is empty")
        if opening not in "[{":
            raise reader.error("neither a JSON array, an object nor JSON Lines")
        if opening == "{" and not self._is_wrapper():
            first = reader.record()
            if reader.ends_its_line(first.line):
                yield JsonItem(first.value, first.line)
                yield from reader.json_lines()
                return
            yield first
        while opening := reader.peek():
            if opening == "[":
                yield from reader.array()
            elif opening == "{" and self._is_wrapper():
                yield from reader.wrapper(self.wrapper.array_key)
            else:
                yield reader.record()

    def _is_wrapper(self) -> bool:
        key = self.reader.first_key()
        return key is not None and self.wrapper.starts(key)


class _StreamReader:
    """A JSON text decoded value by value from a sliding buffer, counting lines as it goes."""

    def __init__(self, handle: IO[str], chunk_chars: int) -> None:
        self.handle = handle
        self.chunk_chars = chunk_chars
        self.buffer = ""
        self.at = 0
        self.ended = False
        self.decoder = json.JSONDecoder()
        self.line = 1  # the line of `counted` in the buffer
        self.counted = 0
        self.records = 0

    def array(self) -> Iterator[JsonItem]:
        """Each element of the array that starts here."""
        self._expect("[")
        if self.peek() == "]":
            self.at += 1
            return
        while True:
            yield self.record()
            if self._next_or_end("]", "after an element"):
                return

    def wrapper(self, array_key: str) -> Iterator[JsonItem | OuterField]:
        """The elements of `array_key` in the object that starts here, and its other members;
        an object without that array is one record, after its members."""
        line = self.current_line()
        self._expect("{")
        members: dict[str, Any] = {}
        has_records = False
        while True:
            key = self._key()
            if key == array_key and self.peek() == "[":
                has_records = True
                yield from self.array()
            else:
                self.peek()
                member_line = self.current_line()
                members[key] = self._value()
                yield OuterField(key, members[key], member_line)
            if self._next_or_end("}", "after a member"):
                break
        if not has_records:
            self.records += 1
            yield JsonItem(members, line, self.records)

    def json_lines(self) -> Iterator[Unreadable | JsonItem]:
        for line, text in self._lines():
            if not text.strip():
                continue
            try:
                yield JsonItem(json.loads(text), line)
            except json.JSONDecodeError as error:
                yield Unreadable(f"not JSON: {error.msg} at column {error.pos + 1}", line)

    def record(self) -> JsonItem:
        """The value that starts here, as the next record of the document."""
        self.peek()
        line = self.current_line()
        value = self._value()
        self.records += 1
        return JsonItem(value, line, self.records)

    def first_key(self) -> str | None:
        """The first key of the object that starts here, if it is a plain one."""
        while len(self.buffer) - self.at < 4096 and not self.ended:
            self._fill()
        found = FIRST_KEY.match(self.buffer, self.at)
        return found.group(1) if found else None

    def ends_its_line(self, line: int) -> bool:
        """Whether the value just read, which started on `line`, is alone on its line."""
        while True:
            while self.at < len(self.buffer) and self.buffer[self.at] in " \t\r":
                self.at += 1
            if self.at < len(self.buffer) or self.ended:
                break
            self._fill()
        at_line_end = self.at == len(self.buffer) or self.buffer[self.at] == "\n"
        return at_line_end and self.current_line() == line

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            while self.at < len(self.buffer) and self.buffer[self.at] in SPACE:
                self.at += 1
            if self.at < len(self.buffer):
                return self.buffer[self.at]
            if self.ended:
                return ""
            self._fill()

    def current_line(self) -> int:
        self.line += self.buffer.count("\n", self.counted, self.at)
        self.counted = self.at
        return self.line

    def error(self, problem: str) -> JsonStreamError:
        if self.at < len(self.buffer):
            problem += f" near {self.buffer[self.at : self.at + 40]!r}"
        return JsonStreamError(problem, self.current_line())

    def _lines(self) -> Iterator[tuple[int, str]]:
        while True:
            end = self.buffer.find("\n", self.at)
            while end < 0 and not self.ended:
                self._fill()
                end = self.buffer.find("\n", self.at)
            if end < 0:
                end = len(self.buffer)
                if self.at == end:
                    return
            line = self.current_line()
            text = self.buffer[self.at : end]
            self.at = min(end + 1, len(self.buffer))
            yield line, text

    def _key(self) -> str:
        if self.peek() != '"':
            raise self.error("expected a member's name")
        key = self._value()
        self._expect(":")
        return str(key)

    def _value(self) -> Any:
        """The value at `at`, which is past white space (`peek`)."""
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.at)
            except json.JSONDecodeError as error:
                if self.ended:
                    raise self.error(f"not valid JSON ({error.msg})") from None
                self._fill()
                continue
            if end == len(self.buffer) and not self.ended:
                self._fill()  # a number may go on in the next chunk
                continue
            self.at = end
            return value

    def _next_or_end(self, closing: str, where: str) -> bool:
        """Past the "," before the next element, or the `closing` bracket: True at the end."""
        separator = self.peek()
        if separator not in ("," + closing) or not separator:
            raise self.error(f"expected , or {closing} {where}")
        self.at += 1
        return separator == closing

    def _expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.error(f"expected {char}")
        self.at += 1

    def _fill(self) -> None:
        self.current_line()
        self.buffer = self.buffer[self.at :]
        self.at = self.counted = 0
        if len(self.buffer) > LARGEST_RECORD_CHARS:
            raise self.error(f"a record longer than {LARGEST_RECORD_CHARS:,} characters")
        try:
            chunk = self.handle.read(self.chunk_chars)
        except UnicodeDecodeError as error:
            problem = f"not UTF-8 text ({error.reason} at byte {error.start})"
            raise JsonStreamError(problem, self.line) from None
        self.ended = not chunk
        self.buffer += chunk
