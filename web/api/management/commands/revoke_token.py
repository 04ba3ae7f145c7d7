"""`revoke_token USERNAME [--prefix PREFIX]`: the user's tokens (or the one with PREFIX) stop
working at once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sociograph.accounts.services import revoke_tokens


class Command(BaseCommand):
    help = "Revoke a user's API tokens (all of them, or only the one whose prefix is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--prefix", default="", help="the token's first 12 characters")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"{username!r} is not a known user") from None
        count = revoke_tokens(user, options["prefix"])
        if options["prefix"] and not count:
            raise CommandError(f"{username} has no usable token {options['prefix']}…")
        self.stdout.write(f"{username}: {count} token(s) revoked")
