"""Streaming CSV input shared by the importers: line numbers, encodings, header checks, and a
report that keeps every rejected row with its reason.

Rows are decoded line by line, so one badly encoded line is rejected without losing the rest.
A row with a control character (NUL included) in a cell is unreadable, whoever made it: a file, a
dataset reader or the bulk API (`checked_row`; tab and line breaks are allowed in the multi-line
columns only, sociograph.ingest.text).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from sociograph.ingest.formats import MULTILINE_COLUMNS
from sociograph.ingest.text import control_character_problem, has_control_character

MAX_FIELD_CHARS = 10_000
STORED_REJECTIONS = 10_000


class FileFormatError(Exception):
    """The file as a whole cannot be imported (missing or unknown columns, empty file)."""


@dataclass(frozen=True)
class SourceRow:
    line: int
    values: dict[str, str] | None
    error: str | None = None


@dataclass
class ImportReport:
    accepted: int = 0
    already_present: int = 0
    rejected_count: int = 0
    rejections: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # about the file as a whole
    on_reject: Callable[[int, str], None] | None = None

    def reject(self, line: int, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejections) < STORED_REJECTIONS:
            self.rejections.append((line, reason))
        if self.on_reject is not None:
            self.on_reject(line, reason)

    @property
    def summary(self) -> str:
        return (
            f"accepted: {self.accepted}  already present: {self.already_present}  "
            f"rejected: {self.rejected_count}"
        )


def _decoded_lines(raw: Iterable[bytes]) -> Iterator[str]:
    for number, line in enumerate(raw, start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        yield line.decode("utf-8", errors="surrogateescape")


_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes kept by errors="surrogateescape"


def _has_undecodable(text: str) -> bool:
    return not text.isascii() and _UNDECODABLE.search(text) is not None


def check_header(header: list[str], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    names = [name.strip() for name in header]
    missing = [name for name in required if name not in names]
    unknown = [name for name in names if name not in required and name not in optional]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    if duplicated:
        problems.append(f"repeated column(s): {', '.join(duplicated)}")
    if problems:
        expected = ",".join(required)
        raise FileFormatError(f"line 1: {'; '.join(problems)} (expected {expected})")


def _row_error(header: list[str], cells: list[str]) -> str | None:
    if len(cells) != len(header):
        return f"expected {len(header)} fields, found {len(cells)}"
    joined = "".join(cells)
    if len(joined) <= MAX_FIELD_CHARS and joined.isascii():
        return None  # the common case, checked once per row: no cell can fail the checks below
    for name, cell in zip(header, cells, strict=True):
        if _has_undecodable(cell):
            return f"{name}: not valid UTF-8"
        if len(cell) > MAX_FIELD_CHARS:
            return f"{name}: longer than {MAX_FIELD_CHARS} characters"
    return None


def _control_character_error(values: dict[str, str]) -> str | None:
    """The first cell with a control character it may not hold, named, or None."""
    if not has_control_character("".join(values.values())):
        return None  # the common case, checked once per row
    for name, cell in values.items():
        problem = control_character_problem(cell, multiline=name in MULTILINE_COLUMNS)
        if problem:
            return f"{name}: {problem}"
    return None


def checked_row(line: int, values: dict[str, str]) -> SourceRow:
    """A row of cells, unreadable (with the reason) when a cell holds a control character."""
    error = _control_character_error(values)
    return SourceRow(line, None, error) if error else SourceRow(line, values)


def read_rows(
    raw_lines: Iterable[bytes], required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterator[SourceRow]:
    """Rows as dicts keyed by column name, each with its line number, or with why it is bad."""
    reader = csv.reader(_decoded_lines(raw_lines))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise FileFormatError("the file is empty (expected a header line)") from None
    except csv.Error as error:
        raise FileFormatError(f"line 1: {error}") from None
    if _has_undecodable(",".join(header)):
        raise FileFormatError("line 1: the header is not valid UTF-8")
    check_header(header, required, optional)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield SourceRow(start, None, f"unreadable CSV: {error}")
            continue
        if not any(cell.strip() for cell in cells):
            continue  # blank lines carry nothing to import
        error_text = _row_error(header, cells)
        if error_text:
            yield SourceRow(start, None, error_text)
        else:
            yield checked_row(
                start, {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
            )


def read_csv_file(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterator[SourceRow]:
    with path.open("rb") as handle:
        yield from read_rows(handle, required, optional)


def rows_from_dicts(rows: Iterable[dict[str, str]]) -> Iterator[SourceRow]:
    """Rows produced by code (e.g. a dataset reader) instead of a file; line = position + 1."""
    for number, values in enumerate(rows, start=2):
        yield checked_row(number, values)


def readable(
    batch: Iterable[SourceRow], report: ImportReport
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows that could be read, as (line, values); the others go to the report."""
    for row in batch:
        if row.values is None:
            report.reject(row.line, row.error or "unreadable row")
        else:
            yield row.line, row.values


@contextmanager
def import_transaction(report: ImportReport, atomic: bool) -> Iterator[None]:
    """With `atomic`, one transaction that is rolled back if any row was rejected."""
    if not atomic:
        yield
        return
    with transaction.atomic():
        yield
        if report.rejected_count:
            transaction.set_rollback(True)
            report.accepted = report.already_present = 0
