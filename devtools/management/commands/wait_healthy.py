import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from web.health import collect_health


class Command(BaseCommand):
    help = "Wait until every service of /health/ is ok; print the report; exit 1 on time-out."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=60.0)

    def handle(self, *args: Any, **options: Any) -> None:
        deadline = time.monotonic() + options["timeout"]
        while True:
            report = collect_health()
            if report["status"] == "ok":
                self.stdout.write(json.dumps(report, indent=2))
                return
            if time.monotonic() > deadline:
                raise CommandError(f"services not healthy:\n{json.dumps(report, indent=2)}")
            time.sleep(1)
