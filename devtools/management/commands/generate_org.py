from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.synthetic import (
    DEFAULT_DAYS,
    DEFAULT_EVENTS_PER_PERSON,
    GenerationSummary,
    GeneratorConfig,
    default_end,
    generate,
    parse_end,
)
from devtools.synthetic_outcomes import (
    DEFAULT_BASE_RATE,
    DEFAULT_HORIZON_DAYS,
    DEFAULT_ODDS_RATIO,
    OutcomeConfig,
    OutcomeSummary,
    generate_with_outcomes,
)

OUTCOME_OPTIONS = ("outcome_odds_ratio", "outcome_base_rate", "outcome_horizon_days")


class Command(BaseCommand):
    help = (
        "Write a synthetic organization to DIR/org.csv and its events to DIR/events.csv "
        "(deterministic for a seed and --end); with --outcomes or --outcomes-null also "
        "DIR/outcomes.csv and DIR/outcomes-truth.json, and employment dates in org.csv."
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
        variants = parser.add_mutually_exclusive_group()
        variants.add_argument(
            "--outcomes",
            action="store_true",
            help="plant known effects: isolation and negative affect exposure raise departure "
            "risk, recognition equity raises team pulse and delivery",
        )
        variants.add_argument(
            "--outcomes-null",
            action="store_true",
            help="the same organization and events, outcomes independent of every trait",
        )
        parser.add_argument(
            "--outcome-odds-ratio",
            type=float,
            help="odds ratio of leaving within the horizon, per planted trait "
            f"(default {DEFAULT_ODDS_RATIO:g})",
        )
        parser.add_argument(
            "--outcome-base-rate",
            type=float,
            help="P(leaving within the horizon) without a planted trait "
            f"(default {DEFAULT_BASE_RATE:g})",
        )
        parser.add_argument(
            "--outcome-horizon-days",
            type=int,
            help=f"the horizon of those risks, in days (default {DEFAULT_HORIZON_DAYS}); "
            "outcomes run until this long after --end",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = _config(options)
        outcomes = _outcome_config(options)
        out: Path = options["out"]
        summary: GenerationSummary | OutcomeSummary
        try:
            out.mkdir(parents=True, exist_ok=True)
            if outcomes is None:
                summary = generate(config, out)
            else:
                summary = generate_with_outcomes(config, outcomes, out)
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


def _outcome_config(options: dict[str, Any]) -> OutcomeConfig | None:
    if not (options["outcomes"] or options["outcomes_null"]):
        given = [name for name in OUTCOME_OPTIONS if options[name] is not None]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise CommandError(f"{flag} needs --outcomes or --outcomes-null")
        return None
    try:
        return OutcomeConfig(
            planted=bool(options["outcomes"]),
            odds_ratio=_or_default(options["outcome_odds_ratio"], DEFAULT_ODDS_RATIO),
            base_rate=_or_default(options["outcome_base_rate"], DEFAULT_BASE_RATE),
            horizon_days=int(_or_default(options["outcome_horizon_days"], DEFAULT_HORIZON_DAYS)),
        )
    except ValueError as error:
        raise CommandError(str(error)) from error


def _or_default(value: float | None, default: float) -> float:
    return default if value is None else value
