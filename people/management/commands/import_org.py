from functools import partial
from typing import Any

from django.core.management.base import CommandError, CommandParser

from people.importers import OrgImportOptions, import_org
from people.periods import parse_day
from sociograph.ingest.command import CsvImportCommand, Importer
from sociograph.ingest.formats import OPTIONAL_ORG_COLUMNS, ORG_COLUMNS


class Command(CsvImportCommand):
    help = (
        "Import people from a CSV with columns external_id,name,email,title,"
        "manager_external_id,contexts (contexts: ';'-separated kind:name) and optionally "
        "joined_on,left_on (YYYY-MM-DD; an empty cell keeps the stored date)."
    )
    required_columns = ORG_COLUMNS
    optional_columns = OPTIONAL_ORG_COLUMNS

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--as-of", help="The import date, YYYY-MM-DD (default today): new periods start on it"
        )
        parser.add_argument(
            "--end-missing",
            action="store_true",
            help="End (the day before the import date) the periods in force of listed people "
            "in contexts their row no longer lists",
        )
        parser.add_argument(
            "--leave-missing",
            action="store_true",
            help="People absent from the file leave on the import date (unless they have a "
            "left_on already)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_day("--as-of", options["as_of"] or "")
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.options = OrgImportOptions(
            as_of=as_of, end_missing=options["end_missing"], leave_missing=options["leave_missing"]
        )
        super().handle(*args, **options)

    def importer(self) -> Importer:
        return partial(import_org, options=self.options)
