"""`issue_token USERNAME --role ROLE [--person EXTERNAL_ID]`: a new API token, printed last."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from people.models import Person
from sociograph.api.roles import PEOPLE_ROLES, Role, assign_role


class Command(BaseCommand):
    help = (
        "Create the user if needed, give it ROLE (its only role), link it to a person (required "
        "for manager and employee) and print a new token (the previous one stops working)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument("--person", default="", help="external_id of the user's person")

    def handle(self, *args: Any, **options: Any) -> None:
        role = Role(options["role"])
        person = self._person(options["person"], role)
        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=options["username"])
            if created:
                user.set_unusable_password()
                user.save()
            assign_role(user, role)
            if person is not None:
                Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
                person.user = user
                person.save(update_fields=["user"])
            Token.objects.filter(user=user).delete()
            token = Token.objects.create(user=user)
        linked = f", person {person.external_id}" if person else ""
        self.stdout.write(
            f"{'created' if created else 'updated'} {user.get_username()}: {role}{linked}"
        )
        self.stdout.write(token.key)

    def _person(self, external_id: str, role: Role) -> Person | None:
        if not external_id:
            if role in PEOPLE_ROLES:
                raise CommandError(f"--person EXTERNAL_ID is required for the {role} role")
            return None
        try:
            return Person.objects.get(external_id=external_id)
        except Person.DoesNotExist:
            raise CommandError(f"--person: {external_id!r} is not a known person") from None
