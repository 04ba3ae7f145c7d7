import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services import RunAlreadyActive
from devtools.backtest_recovery import TeamRecognitions, Truth, recovery, run_all
from outcomes.backtest import NoSnapshots, run_backtest
from outcomes.backtest_engine import NotEnoughData


class Command(BaseCommand):
    help = (
        "Backtest departure, wellbeing and delivery on an organization made by generate_org "
        "--outcomes (or --outcomes-null) and imported here, and compare each planted effect with "
        "what the backtest recovered (docs/outcomes.md, Synthetic truth)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="generate_org's output directory")
        parser.add_argument("--seed", type=int, default=0, help="the backtests' seed")
        parser.add_argument("--resamples", type=int, default=500, help="bootstrap resamples")
        parser.add_argument("--json", action="store_true", help="one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            truth = Truth.read(options["directory"])
            recognitions = TeamRecognitions.read(options["directory"])
        except (OSError, KeyError, ValueError) as error:
            raise CommandError(
                f"{options['directory']}: not a generate_org --outcomes output ({error})"
            ) from None
        try:
            results = run_all(
                run_backtest,
                truth.last_outcome_day,
                seed=options["seed"],
                resamples=options["resamples"],
            )
        except (ValueError, NoSnapshots, NotEnoughData, RunAlreadyActive) as refused:
            raise CommandError(str(refused)) from None
        rows = recovery(truth, results, recognitions)
        if options["json"]:
            found = {
                "variant": truth.variant,
                "backtests": {outcome: result.pk for outcome, result in results.items()},
                "effects": [
                    {
                        **row.__dict__,
                        "expected": row.expected,
                        "within": row.within,
                        "detected": row.detected,
                    }
                    for row in rows
                ],
            }
            self.stdout.write(json.dumps(found))
            return
        self.stdout.write(
            f"{truth.variant}: backtests {', '.join(str(r.pk) for r in results.values())}"
        )
        for row in rows:
            self.stdout.write(row.line())
