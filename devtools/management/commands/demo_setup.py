from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from sociograph.settings.environment import env

DEMO_USERNAME = "admin"


class Command(BaseCommand):
    help = "Create (or reset) the demo HR admin account used by `make demo`."

    def handle(self, *args: Any, **options: Any) -> None:
        user, created = get_user_model().objects.get_or_create(username=DEMO_USERNAME)
        user.email = user.email or "hr-admin@example.org"  # receives the demo's reports
        user.is_staff = True
        user.is_superuser = True
        user.set_password(env("SOCIOGRAPH_DEMO_PASSWORD"))
        user.save()
        self.stdout.write(f"demo admin {DEMO_USERNAME!r} {'created' if created else 'updated'}")
