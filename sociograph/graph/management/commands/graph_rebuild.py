from typing import Any

from django.core.management.base import BaseCommand

from sociograph.graph import reconcile


class Command(BaseCommand):
    help = "Delete the Neo4j projection and recreate it from SQL."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = reconcile.rebuild()
        for entity, count in counts.items():
            self.stdout.write(f"{entity}: {count}")
        self.stdout.write("projection rebuilt")
