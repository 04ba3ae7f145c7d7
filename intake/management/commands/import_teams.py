from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from intake.command import IntakeCommand
from intake.records import IntakeItem
from intake.sources.teams import teams_items
from intake.sources.viva import DEFAULT_CHANNEL
from recognition.models import Channel


class Command(IntakeCommand):
    help = (
        "Import a Microsoft Teams / Graph export (chatMessage and callRecord JSON) and Viva "
        "Insights person-to-person queries (CSV): metadata only (docs/intake.md)."
    )
    origin = "teams"
    path_help = "A .json, .jsonl or .csv file, or a folder of them"

    def add_source_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--users",
            type=Path,
            help="Graph user objects (id, mail, userPrincipalName): e-mail addresses of Graph ids",
        )
        parser.add_argument(
            "--viva-channel",
            choices=Channel.values,
            default=DEFAULT_CHANNEL.value,
            help="The channel of Viva Insights interactions (default: %(default)s)",
        )

    def items(self, path: Path, options: dict[str, Any]) -> Iterator[IntakeItem]:
        return teams_items(path, options.get("users"), options["viva_channel"])
