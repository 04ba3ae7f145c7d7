"""The files a source reads: the file given, or every file of a folder and its subfolders."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from intake.records import Rejected, Skipped, SourceFormatError


@dataclass(frozen=True)
class SourceFile:
    path: Path
    place: str  # the file's name, or its path in the folder
    alone: bool  # given by itself: when it cannot be read, there is nothing to import

    def not_read(self, reason: str) -> Rejected:
        """A file in a folder that cannot be read is one rejection; a file alone stops."""
        if self.alone:
            raise SourceFormatError(reason)
        return Rejected(reason, self.place)


def source_files(
    path: Path, suffixes: Collection[str], other_kinds: str = ""
) -> Iterator[SourceFile | Skipped]:
    """`path` when it is a file; else the files below it with one of `suffixes` (lower-case),
    in name order, and each other file skipped by the rule `other_kinds` (passed over silently
    without one)."""
    if not path.is_dir():
        yield SourceFile(path, path.name, alone=True)
        return
    for file in sorted(item for item in path.rglob("*") if item.is_file()):
        place = file.relative_to(path).as_posix()
        if file.suffix.lower() in suffixes:
            yield SourceFile(file, place, alone=False)
        elif other_kinds:
            yield Skipped(other_kinds, place)
