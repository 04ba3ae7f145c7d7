from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from outcomes.models import PULSE_KINDS
from outcomes.pulse_release import KEPT, RELEASED, Decision, release_pulse_month

PULSE = sorted(PULSE_KINDS)


class Command(BaseCommand):
    help = (
        "Release a month's survey aggregates again after late answers: each group's figure from "
        "the answers stored now, released only when it cannot be subtracted from any figure "
        "released for the month before (docs/outcomes.md, Survey answers are sensitive)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="YYYY-MM, a month that is over")
        parser.add_argument("--kind", choices=PULSE, help="one kind (default: every pulse kind)")

    def handle(self, *args: Any, **options: Any) -> None:
        for kind in [options["kind"]] if options["kind"] else PULSE:
            try:
                decisions = release_pulse_month(kind, options["month"])
            except ValueError as refused:
                raise CommandError(f"month: {refused}") from None
            for decision in decisions:
                self.stdout.write(f"{kind} {options['month']} {_line(decision)}")


def _line(decision: Decision) -> str:
    figure = decision.figure
    people = "1 person" if figure.people == 1 else f"{figure.people} people"
    if decision.outcome in (KEPT, RELEASED):
        return f"{figure.label}: {decision.outcome} ({people})"
    return f"{figure.label}: {decision.outcome} ({people}): {decision.reason}"
