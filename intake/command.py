"""The shape of every intake command: read one source, stream its records through the pipeline
with a progress bar on a terminal, print each rejection with its place and the summary, and exit
1 when a record was rejected (unreadable, or a person it cannot resolve)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from intake.pipeline import IntakeReport, run_intake
from intake.records import IntakeItem, SourceFormatError
from intake.sources.domains import domain_set


class IntakeCommand(BaseCommand):
    origin = ""  # the source's name in event keys: "slack", "mail"...
    path_help = "The file or folder to import"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help=self.path_help)
        self.add_source_arguments(parser)

    def add_source_arguments(self, parser: CommandParser) -> None:
        """Options of one source."""

    def origin_of(self, options: dict[str, Any]) -> str:
        """The source's name in the event keys of this import."""
        return self.origin

    def items(self, path: Path, options: dict[str, Any]) -> Iterator[IntakeItem]:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path}: no such file or folder")
        report = IntakeReport(on_reject=self._print_rejection)
        try:
            run_intake(
                self._with_progress(self.items(path, options)), self.origin_of(options), report
            )
        except SourceFormatError as error:
            raise CommandError(f"{path}: {error}") from None
        self.stdout.write(report.summary)
        if report.rejected_count:
            raise CommandError(f"{report.rejected_count} record(s) rejected; the others were kept")

    def _with_progress(self, items: Iterator[IntakeItem]) -> Iterator[IntakeItem]:
        shown = sys.stderr.isatty()
        yield from tqdm(items, unit=" records", disable=not shown, file=sys.stderr)

    def _print_rejection(self, place: str, reason: str) -> None:
        self.stdout.write(f"{place}: {reason}")


def add_internal_domains(parser: CommandParser) -> None:
    """--internal-domains, parsed to a set of lower-case domains (empty when not given)."""
    parser.add_argument(
        "--internal-domains",
        type=lambda text: domain_set(text.split(",")),
        default="",
        help="Comma-separated domains of the organization (subdomains included): other "
        "addresses are skipped as external instead of rejected as unknown",
    )
