from typing import Any

from django.core.management.base import BaseCommand

from sociograph.graph.schema import apply_schema


class Command(BaseCommand):
    help = "Create the Neo4j constraints and indexes of the projection (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for outcome in apply_schema():
            state = "created" if outcome.created else "already present"
            self.stdout.write(f"{outcome.kind} {outcome.name}: {state}")
