import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services import DEFAULT_WINDOW_DAYS, RunAlreadyActive
from outcomes.backtest import BACKTEST_OUTCOMES, BacktestConfig, NoSnapshots, run_backtest
from outcomes.backtest_engine import NotEnoughData
from outcomes.management.commands.mine_series import parse_day
from outcomes.models import BacktestResult


class Command(BaseCommand):
    help = (
        "Backtest whether the mined metrics forecast an outcome: features from the window ending "
        "at t - gap, outcomes in (t, t + horizon], split in time and grouped by team; mines the "
        "missing snapshots. Stores the result (docs/outcomes.md, Backtests)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--outcome", required=True, choices=BACKTEST_OUTCOMES)
        parser.add_argument("--metric", default="", help="team_result: the KPI")
        parser.add_argument("--horizon-days", type=int, default=90)
        parser.add_argument("--gap-days", type=int, default=28)
        parser.add_argument("--every-days", type=int, default=28)
        parser.add_argument("--window-days", type=int, default=DEFAULT_WINDOW_DAYS)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--resamples", type=int, default=500, help="bootstrap resamples")
        parser.add_argument("--since", help="earliest feature day (default: first event + window)")
        parser.add_argument("--until", help="last day whose outcomes are known (default: today)")
        parser.add_argument("--no-mine", action="store_true", help="stored snapshots only")
        parser.add_argument("--json", action="store_true", help="one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = BacktestConfig(
                outcome=options["outcome"],
                horizon_days=options["horizon_days"],
                gap_days=options["gap_days"],
                every_days=options["every_days"],
                window_days=options["window_days"],
                seed=options["seed"],
                resamples=options["resamples"],
                metric=options["metric"],
                since=parse_day(options["since"], "--since"),
                until=parse_day(options["until"], "--until"),
                mine=not options["no_mine"],
            )
            result = run_backtest(config)
        except (ValueError, NoSnapshots, NotEnoughData, RunAlreadyActive) as refused:
            raise CommandError(str(refused)) from None
        if options["json"]:
            self.stdout.write(json.dumps(as_json(result)))
        else:
            self._table(result)

    def _table(self, result: BacktestResult) -> None:
        span = f"{result.data_start}..{result.data_end}"
        self.stdout.write(
            f"backtest {result.pk}: {result.outcome}, {span}, {result.n_people} subjects, "
            f"{result.n_events} events, grouping by {result.parameters.get('grouping')}, "
            f"{result.parameters.get('folds')} folds"
        )
        binary = result.outcome == "departure"
        head = "AUC [95% CI]" if binary else "rho [95% CI]"
        self.stdout.write(f"{'model':<44} {'n':>6}  {head:<24} {'lift [95% CI]':<26}")
        primary = "auc" if binary else "rho"
        for row in sorted(result.results, key=lambda row: -(row.get(primary) or -9)):
            score = cell(row.get(primary), row.get(f"{primary}_ci"))
            lift = cell(row.get("lift"), row.get("lift_ci"))
            self.stdout.write(f"{row['model']:<44} {row['n']:>6}  {score:<24} {lift:<26}")
        self.stdout.write(result.statement)
        if result.calibrated_weights:
            for name, weight in sorted(result.calibrated_weights.items()):
                self.stdout.write(f"  {name}: {weight:+.3f}")


def cell(value: float | None, interval: list[float] | None) -> str:
    if value is None:
        return "-"
    if interval is None:
        return f"{value:.3f} [not estimable]"
    return f"{value:.3f} [{interval[0]:.3f}, {interval[1]:.3f}]"


def as_json(result: BacktestResult) -> dict[str, Any]:
    return {
        "id": result.pk,
        "outcome": result.outcome,
        "metric": result.metric,
        "parameters": result.parameters,
        "seed": result.seed,
        "data_start": result.data_start.isoformat(),
        "data_end": result.data_end.isoformat(),
        "n_people": result.n_people,
        "n_events": result.n_events,
        "results": result.results,
        "calibrated_weights": result.calibrated_weights,
        "statement": result.statement,
    }
