from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake.services import merge_people
from people.models import Person


class Command(BaseCommand):
    help = (
        "Merge two records of one person: the events, identities, membership periods and "
        "reports of ABSORBED move to KEEP, then ABSORBED is erased (external ids)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("keep", help="External id of the person who stays")
        parser.add_argument("absorbed", help="External id of the duplicate record")

    def handle(self, *args: Any, **options: Any) -> None:
        keep, absorbed = (self._person(options[name]) for name in ("keep", "absorbed"))
        try:
            merged = merge_people(absorbed, keep)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        moved = ", ".join(f"{kind} {count}" for kind, count in merged.events.items())
        self.stdout.write(
            f"merged {options['absorbed']} into {options['keep']}: events moved: {moved}; "
            f"identities {merged.absorbed.identities}, membership periods "
            f"{merged.absorbed.memberships}, reports {merged.absorbed.reports}"
        )
        if merged.absorbed.reports_refused:
            self.stdout.write(
                f"{len(merged.absorbed.reports_refused)} report(s) kept no manager: "
                "the merge would close a reporting loop"
            )

    def _person(self, external_id: str) -> Person:
        try:
            return Person.objects.get(external_id=external_id)
        except Person.DoesNotExist:
            raise CommandError(f"no person has the external id {external_id!r}") from None
