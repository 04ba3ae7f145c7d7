"""The shared shape of the CSV import commands: stream, report each rejection, exit 1 on any."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sociograph.ingest.importing import FileFormatError, ImportReport, SourceRow, read_csv_file

Importer = Callable[[Iterable[SourceRow], ImportReport, bool], ImportReport]


class CsvImportCommand(BaseCommand):
    required_columns: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()

    def importer(self) -> Importer:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--atomic", action="store_true", help="Keep nothing unless every row is accepted"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        report = ImportReport(on_reject=self._print_rejection)
        rows = read_csv_file(path, self.required_columns, self.optional_columns)
        try:
            self.importer()(rows, report, options["atomic"])
        except FileFormatError as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(report.summary)
        for note in report.notes:
            self.stdout.write(note)
        if report.rejected_count:
            kept = "nothing was kept (--atomic)" if options["atomic"] else "accepted rows were kept"
            raise CommandError(f"{report.rejected_count} row(s) rejected; {kept}")

    def _print_rejection(self, line: int, reason: str) -> None:
        self.stdout.write(f"line {line}: {reason}")
