"""import_mail PATH: who wrote to whom, from the headers of an mbox file, a Maildir folder, or a
folder holding several of them (docs/intake.md, "E-mail headers")."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from intake.command import IntakeCommand, add_internal_domains
from intake.records import IntakeItem
from intake.sources.domains import domain_set
from intake.sources.mail import MailRules, read_mail


class Command(IntakeCommand):
    help = "Import who wrote to whom (To, Cc, replies) from mail headers; bodies are never read."
    origin = "mail"
    path_help = "An mbox file, a Maildir folder, or a folder of mbox files and Maildir folders"

    def add_source_arguments(self, parser: CommandParser) -> None:
        add_internal_domains(parser)

    def items(self, path: Path, options: dict[str, Any]) -> Iterator[IntakeItem]:
        return read_mail(path, self._rules(options))

    def _rules(self, options: dict[str, Any]) -> MailRules:
        cc_weight = float(settings.SOCIOGRAPH_INTAKE_MAIL_CC_WEIGHT)
        if not (math.isfinite(cc_weight) and cc_weight > 0):
            raise CommandError(f"SOCIOGRAPH_INTAKE_MAIL_CC_WEIGHT={cc_weight} must be above 0")
        return MailRules(
            cc_weight=cc_weight,
            lists=domain_set(settings.SOCIOGRAPH_INTAKE_MAIL_LISTS),
            internal_domains=options["internal_domains"],
        )
