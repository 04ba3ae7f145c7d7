from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools import sociopatterns
from people.importers import import_org
from recognition.importers import import_events
from sociograph.ingest.importing import ImportReport, rows_from_dicts

DEFAULT_DIR = Path(settings.BASE_DIR) / "devtools" / "data" / "sociopatterns-workplace"


class Command(BaseCommand):
    help = (
        "Import a SocioPatterns workplace deployment (CC0): departments become team contexts, "
        "contacts become in_person interactions. Re-importing is idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dataset", choices=sorted(sociopatterns.DATASETS), default="InVS15")
        parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
        parser.add_argument(
            "--start",
            type=datetime.fromisoformat,
            help="When t=0 happens (default: the Monday that ends the deployment before now)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory, dataset = options["dir"], options["dataset"]
        if not directory.is_dir():
            raise CommandError(f"{directory}: no such folder (use --dir)")
        start = options["start"] or sociopatterns.start_for_recent(
            directory, dataset, datetime.now(UTC)
        )
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        reports = {
            "people": import_org(
                rows_from_dicts(sociopatterns.read_people(directory, dataset)), self._report()
            ),
            "contacts": import_events(
                rows_from_dicts(sociopatterns.read_contacts(directory, dataset, start)),
                self._report(),
            ),
        }
        for name, report in reports.items():
            self.stdout.write(f"{dataset} {name}: {report.summary}")
        if any(report.rejected_count for report in reports.values()):
            raise CommandError("some rows were rejected")

    def _report(self) -> ImportReport:
        return ImportReport(on_reject=lambda line, reason: self.stdout.write(f"#{line}: {reason}"))
