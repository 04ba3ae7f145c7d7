"""Import a Slack workspace export: who replied to, mentioned, reacted to and messaged whom."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser

from intake.command import IntakeCommand
from intake.records import IntakeItem
from intake.sources.slack import SlackOptions, read_export
from people.models import ContextKind


class Command(IntakeCommand):
    help = "Import the interactions of a Slack export (.zip or folder); metadata only."
    origin = "slack"
    path_help = "The Slack export: the .zip Slack gives, or its unzipped folder"

    def add_source_arguments(self, parser: CommandParser) -> None:
        defaults = SlackOptions()
        parser.add_argument(
            "--context-max-members",
            type=int,
            default=settings.SOCIOGRAPH_INTAKE_SLACK_CONTEXT_MAX_MEMBERS,
            help="A channel of at most this many members becomes a context (default: %(default)s)",
        )
        parser.add_argument(
            "--context-kind",
            choices=[ContextKind.COMMUNITY, ContextKind.TOPIC],
            default=defaults.context_kind,
            help="The kind of the contexts channels become (default: %(default)s)",
        )
        parser.add_argument(
            "--broadcast-max-members",
            type=int,
            default=defaults.broadcast_max_members,
            help="@channel/@here in a larger channel makes no edge (default: %(default)s)",
        )
        parser.add_argument(
            "--private-contexts",
            action="store_true",
            help="Private channels become contexts too (their names are then visible)",
        )

    def items(self, path: Path, options: dict[str, Any]) -> Iterator[IntakeItem]:
        return read_export(
            path,
            SlackOptions(
                context_max_members=options["context_max_members"],
                context_kind=options["context_kind"],
                broadcast_max_members=options["broadcast_max_members"],
                private_contexts=options["private_contexts"],
            ),
        )
