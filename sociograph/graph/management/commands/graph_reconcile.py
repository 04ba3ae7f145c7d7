from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sociograph.graph import reconcile, relay


class Command(BaseCommand):
    help = (
        "Compare SQL with Neo4j (counts and every entity's projected state), print the drift, "
        "repair it through the outbox, and exit 1 if drift remains."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-repair", action="store_true", help="Only report the drift")

    def handle(self, *args: Any, **options: Any) -> None:
        self._relay()  # what is merely pending is not drift
        parked = relay.parked_entries()
        if parked:
            self.stdout.write(f"{parked} outbox entries are parked after repeated failures")
        drifts = reconcile.compare_all()
        self._print(drifts)
        if not any(d.drifted for d in drifts):
            self.stdout.write("no drift")
            return
        if options["no_repair"]:
            raise CommandError("drift found (not repaired: --no-repair)")
        queued = reconcile.queue_repairs(drifts)
        self._relay()
        remaining = reconcile.compare_all()
        self.stdout.write(f"repaired: re-projected {queued} entities; after repair:")
        self._print(remaining)
        if any(d.drifted for d in remaining):
            raise CommandError("drift remains after repair")
        self.stdout.write("no drift")

    def _relay(self) -> None:
        try:
            relay.relay(wait_seconds=120)
        except Exception as error:  # noqa: BLE001 - reported; the comparison then shows the drift
            self.stdout.write(f"relay failed: {type(error).__name__}: {error}")

    def _print(self, drifts: list[reconcile.EntityDrift]) -> None:
        for drift in drifts:
            self.stdout.write(drift.describe())
