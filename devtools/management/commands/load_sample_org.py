import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Generate (once) and import the bundled sample organization used by `make demo`. "
        "Re-running is idempotent: nothing is duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=300)
        parser.add_argument("--events-per-person", type=int, default=60)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(settings.VAR_DIR) / "sample-org"
        if not (folder / "events.csv").exists():
            call_command(
                "generate_org",
                f"--people={options['people']}",
                f"--events-per-person={options['events_per_person']}",
                f"--seed={options['seed']}",
                f"--out={folder}",
                stdout=self.stdout,
            )
        for command, name in (("import_org", "org.csv"), ("import_events", "events.csv")):
            out = io.StringIO()
            call_command(command, str(folder / name), stdout=out)
            self.stdout.write(f"{name}: {out.getvalue().strip().splitlines()[-1]}")
