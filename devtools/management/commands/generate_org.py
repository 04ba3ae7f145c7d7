from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.synthetic import (
    DEFAULT_DAYS,
    DEFAULT_EVENTS_PER_PERSON,
    GeneratorConfig,
    default_end,
    generate,
    parse_end,
)


class Command(BaseCommand):
    help = (
        "Write a synthetic organization to DIR/org.csv and its events to DIR/events.csv "
        "(deterministic for a seed and --end)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, required=True, help="number of people (>= 2)")
        parser.add_argument("--seed", type=int, required=True, help="random seed")
        parser.add_argument("--out", type=Path, required=True, help="output directory")
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"length of the event window in days, ending at --end (default {DEFAULT_DAYS})",
        )
        parser.add_argument(
            "--end",
            help="end of the event window, ISO-8601 (default: now, rounded down to the hour, UTC)",
        )
        parser.add_argument(
            "--events-per-person",
            type=int,
            default=DEFAULT_EVENTS_PER_PERSON,
            help=f"about this many events per person (default {DEFAULT_EVENTS_PER_PERSON})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = _config(options)
        out: Path = options["out"]
        try:
            out.mkdir(parents=True, exist_ok=True)
            summary = generate(config, out)
        except OSError as error:
            raise CommandError(f"cannot write to {out}: {error}") from error
        self.stdout.write(summary.describe())


def _config(options: dict[str, Any]) -> GeneratorConfig:
    try:
        end = (
            default_end(datetime.now(UTC)) if options["end"] is None else parse_end(options["end"])
        )
        return GeneratorConfig(
            people=options["people"],
            seed=options["seed"],
            end=end,
            days=options["days"],
            events_per_person=options["events_per_person"],
        )
    except ValueError as error:
        raise CommandError(str(error)) from error
