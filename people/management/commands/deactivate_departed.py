from typing import Any

from django.core.management.base import BaseCommand

from people.services import deactivate_departed


class Command(BaseCommand):
    help = "Mark inactive the people whose left_on has come (Celery beat does it daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"deactivated: {deactivate_departed()}")
