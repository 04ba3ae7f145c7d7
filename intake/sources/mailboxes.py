"""The header fields of every message in mbox files and Maildir folders, read as a stream.

Only the header block of a message is read, and of it only the fields that say who wrote to whom,
when, and whether a person wrote it (`FIELDS`): the subject and every other field are dropped as
the lines go by, and the body is skipped unread (an mbox's body lines are only looked at for the
next "From " separator; a Maildir file is closed at the end of its header). One message's fields
are held at a time, whatever the size of the mailbox.
"""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from intake.records import SourceFormatError

FIELDS = frozenset(
    {
        b"from",
        b"to",
        b"cc",
        b"date",
        b"message-id",
        b"in-reply-to",
        b"auto-submitted",
        b"x-autoreply",
        b"x-autorespond",
        b"list-id",
        b"precedence",
    }
)
SEPARATOR = b"From "
BLANK_LINES = (b"\n", b"\r\n")


@dataclass(frozen=True)
class Headers:
    """The kept fields of one message (lower-case names, unfolded values) and where it is."""

    fields: dict[str, list[str]]
    place: str

    def first(self, name: str) -> str:
        values = self.fields.get(name)
        return values[0] if values else ""

    def all(self, name: str) -> list[str]:
        return self.fields.get(name, [])


class _FieldCollector:
    """Header lines in, kept fields out; continuation lines join the field they continue."""

    def __init__(self) -> None:
        self.raw: dict[bytes, list[bytes]] = {}
        self.current: bytes | None = None

    def take(self, line: bytes) -> None:
        if line[:1] in (b" ", b"\t"):
            if self.current is not None:
                self.raw[self.current][-1] += line
            return
        name, colon, value = line.partition(b":")
        key = name.strip().lower()
        self.current = key if colon and key in FIELDS else None
        if self.current is not None:
            self.raw.setdefault(key, []).append(value)

    def headers(self, place: str) -> Headers:
        fields = {
            name.decode("ascii"): [_unfolded(value) for value in values]
            for name, values in self.raw.items()
        }
        return Headers(fields, place)


def _unfolded(value: bytes) -> str:
    return " ".join(value.decode("utf-8", "replace").split())


def read_mailboxes(path: Path) -> Iterator[Headers]:
    """Every message of the mbox file, the Maildir folder, or the folder of mailboxes at `path`."""
    found = False
    for name, box in _mailboxes(path):
        found = True
        if box.is_file():
            yield from _mbox(box, name)
        else:
            yield from _maildir(box, name)
    if not found:
        raise SourceFormatError("neither an mbox file, a Maildir folder, nor a folder of them")


def _mailboxes(path: Path) -> Iterator[tuple[str, Path]]:
    if path.is_file():
        if not _is_mbox(path):
            raise SourceFormatError("not an mbox file (it does not begin with a 'From ' line)")
        yield path.name, path
        return
    if _is_maildir(path):
        yield path.name, path
    for folder, subfolders, files in os.walk(path):
        subfolders.sort()
        here = Path(folder)
        if _is_maildir(here):
            subfolders[:] = [name for name in subfolders if name not in ("cur", "new", "tmp")]
            if here != path:
                yield str(here.relative_to(path)), here
            continue
        for name in sorted(files):
            if _is_mbox(here / name):
                yield str((here / name).relative_to(path)), here / name


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(SEPARATOR)) == SEPARATOR


def _mbox(path: Path, name: str) -> Iterator[Headers]:
    """The "From " line starts a message, as for the stdlib's `mailbox.mbox` (mboxo and mboxrd
    escape such lines in bodies); the header ends at the first blank line."""
    collector: _FieldCollector | None = None
    in_header = False
    number = 0
    with path.open("rb") as file:
        for line in file:
            if line.startswith(SEPARATOR):
                if collector is not None:
                    yield collector.headers(f"{name} message {number}")
                number += 1
                collector, in_header = _FieldCollector(), True
            elif in_header and collector is not None:
                if line in BLANK_LINES:
                    in_header = False
                else:
                    collector.take(line)
    if collector is not None:
        yield collector.headers(f"{name} message {number}")


def _maildir(path: Path, name: str) -> Iterator[Headers]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.iterkeys()):
        try:
            file = box.get_file(key)
        except KeyError:
            continue  # delivered elsewhere (moved or deleted) while the folder was read
        with file:
            collector = _FieldCollector()
            for line in _header_lines(file):
                collector.take(line)
        yield collector.headers(f"{name} {key}")


def _header_lines(lines: Iterable[bytes]) -> Iterator[bytes]:
    for line in lines:
        if line in BLANK_LINES:
            return
        yield line
