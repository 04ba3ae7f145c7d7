"""import_recognitions FILE --format bonusly: a recognition tool's export (docs/intake.md)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from intake.command import IntakeCommand
from intake.records import IntakeItem, SourceFormatError
from intake.sources.bonusly import read_bonusly

Reader = Callable[[Path, Collection[str]], Iterator[IntakeItem]]
# One reader per recognition tool; the format's name is also the origin of its event keys.
FORMATS: dict[str, Reader] = {"bonusly": read_bonusly}


class Command(IntakeCommand):
    help = "Import recognitions (one per receiver) from a recognition tool's export."
    path_help = "The export: the API's JSON answer, a JSON array, or JSON Lines"

    def add_source_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--format", required=True, choices=sorted(FORMATS), help="The tool that made the file"
        )
        parser.add_argument(
            "--system-giver",
            action="append",
            default=[],
            metavar="ID_OR_EMAIL",
            help="An account whose bonuses are automated (skipped); may be repeated",
        )

    def origin_of(self, options: dict[str, Any]) -> str:
        return str(options["format"])

    def items(self, path: Path, options: dict[str, Any]) -> Iterator[IntakeItem]:
        if not path.is_file():
            raise SourceFormatError("a file is expected")
        return FORMATS[options["format"]](path, options["system_giver"])
