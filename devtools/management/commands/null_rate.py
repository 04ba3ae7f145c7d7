import json
from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.null_rate import EFFECTS, Finding, run_seeds


def seed_range(text: str) -> range:
    first, _, last = text.partition("-")
    try:
        seeds = range(int(first), int(last or first) + 1)
    except ValueError:
        raise CommandError(f"--seeds must be N or N-M (got {text!r})") from None
    if not seeds:
        raise CommandError(f"--seeds {text}: the first seed is after the last")
    return seeds


class Command(BaseCommand):
    help = (
        "Generate organizations with --outcomes-null (or --outcomes with --planted), rebuild "
        "the backtests of three planted effects from the files alone and count how often each "
        "is detected (docs/outcomes.md, False findings on null organizations)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seeds", default="1-20", help="N or N-M (default 1-20)")
        parser.add_argument("--people", type=int, default=400)
        parser.add_argument("--resamples", type=int, default=300, help="bootstrap resamples")
        parser.add_argument("--planted", action="store_true", help="--outcomes instead of null")
        parser.add_argument("--json", action="store_true", help="one JSON object on stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        seeds = seed_range(options["seeds"])
        found: dict[str, list[Finding]] = defaultdict(list)
        for finding in run_seeds(
            seeds, options["people"], options["planted"], options["resamples"]
        ):
            found[finding.effect].append(finding)
            if not options["json"]:
                self.stdout.write(_line(finding))
        summary = {effect: sum(f.detected for f in found[effect]) for effect in EFFECTS}
        if options["json"]:
            rows = [
                {**f.__dict__, "detected": f.detected} for effect in EFFECTS for f in found[effect]
            ]
            self.stdout.write(
                json.dumps({"seeds": len(seeds), "detected": summary, "findings": rows})
            )
            return
        for effect, detected in summary.items():
            self.stdout.write(f"{effect}: detected on {detected} of {len(seeds)} organizations")


def _line(finding: Finding) -> str:
    interval = finding.interval
    shown = "-" if interval is None else f"[{interval[0]:.3f}, {interval[1]:.3f}]"
    flag = "  detected" if finding.detected else ""
    score = f"{finding.measure} {finding.score:.3f}"
    return f"seed {finding.seed:>3} {finding.effect:<36} {score} {shown}{flag}"
