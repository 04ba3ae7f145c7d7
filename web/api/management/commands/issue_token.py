"""`issue_token USERNAME --role ROLE [--person EXTERNAL_ID] [--days N]`: a new API token, printed
last and only once (the database keeps its SHA-256 digest)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from people.models import Person
from people.services import link_user
from sociograph.accounts.roles import PEOPLE_ROLES, Role, assign_role
from sociograph.accounts.services import issue_token


class Command(BaseCommand):
    help = (
        "Create the user if needed, give it ROLE (its only role), link it to a person (required "
        "for manager and employee) and print a new token valid for --days days (the user's "
        "previous tokens are revoked). The token is shown once: only its digest is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--person", default="", help="external_id of the user's person")
        parser.add_argument(
            "--days",
            type=int,
            default=settings.SOCIOGRAPH_API_TOKEN_DAYS,
            help=f"days the token stays valid (default {settings.SOCIOGRAPH_API_TOKEN_DAYS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        role = Role(options["role"])
        if options["days"] < 1:
            raise CommandError("--days must be at least 1")
        person = self._person(options["person"], role)
        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=options["username"])
            if created:
                user.set_unusable_password()
                user.save()
            assign_role(user, role)
            if person is not None:
                link_user(person, user)
            token, record = issue_token(user, options["days"])
        linked = f", person {person.external_id}" if person else ""
        self.stdout.write(
            f"{'created' if created else 'updated'} {user.get_username()}: {role}{linked}; "
            f"token {record.prefix}… expires {record.expires_at:%Y-%m-%d %H:%M} UTC"
        )
        self.stdout.write(token)

    def _person(self, external_id: str, role: Role) -> Person | None:
        if not external_id:
            if role in PEOPLE_ROLES:
                raise CommandError(f"--person EXTERNAL_ID is required for the {role} role")
            return None
        try:
            return Person.objects.get(external_id=external_id)
        except Person.DoesNotExist:
            raise CommandError(f"--person: {external_id!r} is not a known person") from None
