"""Reading a large JSON export one record at a time, with the standard library only.

Three shapes are read: an API answer `{"success": true, "result": [...]}`, a bare array, and
JSON Lines (one object a line). The first two are decoded element by element from a bounded
buffer, so memory holds one record (and one chunk) whatever the file's size; a record that is
not valid JSON there makes the rest unreadable (`SourceFormatError`). In JSON Lines a broken line
is reported as `Unreadable` with its line number and reading goes on.
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
ANSWER_KEYS = ("success", "result", "message")
# An API answer's first key; any other first key is a record's: the file is JSON Lines.
ANSWER_START = re.compile(r'\s*\{\s*"(?:' + "|".join(ANSWER_KEYS) + r')"\s*:')
SPACE = " \t\r\n"


@dataclass(frozen=True)
class Unreadable:
    reason: str


def json_records(
    path: Path, result_key: str = "result", chunk_chars: int = CHUNK_CHARS
) -> Iterator[tuple[str, Any]]:
    """Each record of the file with its position ("item 3", "line 3"): the decoded value, or
    `Unreadable` for a JSON Lines line that is not JSON."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            yield from _records(handle, result_key, chunk_chars)
    except UnicodeDecodeError as error:
        raise SourceFormatError(f"not UTF-8 text ({error.reason} at byte {error.start})") from None


def _records(handle: IO[str], result_key: str, chunk_chars: int) -> Iterator[tuple[str, Any]]:
    start = handle.read(4096)
    handle.seek(0)
    opening = start.lstrip(SPACE)[:1]
    if not opening:
        raise SourceFormatError("the file is empty")
    if opening == "[" or (opening == "{" and ANSWER_START.match(start)):
        reader = _StreamReader(handle, chunk_chars)
        items = reader.array() if opening == "[" else reader.answer(result_key)
        for number, item in enumerate(items, start=1):
            yield f"item {number}", item
        return
    if opening != "{":
        raise SourceFormatError("neither a JSON array, an API answer nor JSON Lines")
    yield from _lines(handle)


def _lines(handle: IO[str]) -> Iterator[tuple[str, Any]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as error:
            yield f"line {number}", Unreadable(f"not JSON: {error.msg} at column {error.pos + 1}")


class _StreamReader:
    """A JSON document decoded value by value from a sliding buffer."""

    def __init__(self, handle: IO[str], chunk_chars: int) -> None:
        self.handle = handle
        self.chunk_chars = chunk_chars
        self.buffer = ""
        self.at = 0
        self.ended = False
        self.decoder = json.JSONDecoder()

    def answer(self, result_key: str) -> Iterator[Any]:
        """The elements of `result_key` in an object such as {"success": true, "result": [...]}."""
        self._expect("{")
        fields: dict[str, Any] = {}
        while self._peek() != "}":
            key = self._value()
            self._expect(":")
            if key == result_key:
                _check_success(fields)
                yield from self.array()
                return
            fields[str(key)] = self._value()
            if self._peek() not in ",}":
                raise self._error("expected , or } after a field")
            if self._peek() == ",":
                self.at += 1
        _check_success(fields)
        raise SourceFormatError(f'the answer has no "{result_key}" list')

    def array(self) -> Iterator[Any]:
        self._expect("[")
        if self._peek() == "]":
            return
        while True:
            yield self._value()
            separator = self._peek()
            if separator not in ",]":
                raise self._error("expected , or ] after an element")
            self.at += 1
            if separator == "]":
                return

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.at)
            except json.JSONDecodeError as error:
                if self.ended:
                    raise self._error(f"not valid JSON ({error.msg})") from None
                self._fill()
                continue
            if end == len(self.buffer) and not self.ended:
                self._fill()  # a number may go on in the next chunk
                continue
            self.at = end
            return value

    def _peek(self) -> str:
        while True:
            while self.at < len(self.buffer) and self.buffer[self.at] in SPACE:
                self.at += 1
            if self.at < len(self.buffer):
                return self.buffer[self.at]
            if self.ended:
                raise self._error("the file ends too early")
            self._fill()

    def _expect(self, char: str) -> None:
        if self._peek() != char:
            raise self._error(f"expected {char}")
        self.at += 1

    def _fill(self) -> None:
        self.buffer = self.buffer[self.at :]
        self.at = 0
        if len(self.buffer) > LARGEST_RECORD_CHARS:
            raise self._error(f"a record longer than {LARGEST_RECORD_CHARS:,} characters")
        chunk = self.handle.read(self.chunk_chars)
        self.ended = not chunk
        self.buffer += chunk

    def _error(self, problem: str) -> SourceFormatError:
        return SourceFormatError(f"{problem} near {self.buffer[self.at : self.at + 40]!r}")


def _check_success(fields: dict[str, Any]) -> None:
    if fields.get("success") is False:
        raise SourceFormatError(f"the API answered an error: {fields.get('message', '')!r}")
