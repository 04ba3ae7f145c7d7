from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sociograph.graph import reconcile


class Command(BaseCommand):
    help = (
        "Compare SQL with Neo4j (counts and every entity's projected state), print the drift, "
        "repair it through the outbox, and exit 1 if drift remains."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-repair", action="store_true", help="Only report the drift")

    def handle(self, *args: Any, **options: Any) -> None:
        report = reconcile.check_and_repair(repair=not options["no_repair"])
        for line in report.lines():
            self.stdout.write(line)
        if report.in_sync:
            return
        if report.repaired is None:
            raise CommandError("drift found (not repaired: --no-repair)")
        raise CommandError("drift remains after repair")
