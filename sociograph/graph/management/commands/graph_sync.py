from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sociograph.graph import relay


class Command(BaseCommand):
    help = "Apply every pending outbox entry to Neo4j now, in order."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait", type=float, default=120.0, help="Seconds to wait for a busy relay"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = relay.relay(wait_seconds=options["wait"])
        except relay.RelayBusy:
            raise CommandError("another relay kept the lock; try again") from None
        except Exception as error:
            pending = relay.pending_entries()
            raise CommandError(f"relay failed ({pending} entries pending): {error}") from error
        details = ", ".join(f"{name} {count}" for name, count in sorted(report.by_entity.items()))
        self.stdout.write(
            f"relayed {report.entries} outbox entries ({details or 'nothing pending'}); "
            f"{relay.pending_entries()} pending"
        )
