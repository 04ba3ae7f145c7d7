"""The scenario library against the real Neo4j: every finding fires on its planted positives and
on nothing else, and never on the null scenarios, over 20 seeds (tests/scenarios/). The table of
recall and false positives per pattern is written to var/log/scenario-table.md."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.scenarios.builder import load
from tests.scenarios.catalog import CATALOG, POSITIVE
from tests.scenarios.mining import mine

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]

SEEDS = range(20)
Tally = dict[tuple[str, str], list[int]]  # (pattern, kind) -> [runs, found, planted, false+]


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    counts: Tally = defaultdict(lambda: [0, 0, 0, 0])
    yield counts
    lines = [
        "| pattern | scenario kind | runs | recall | false positives |",
        "|---|---|---|---|---|",
    ]
    for (pattern, kind), (runs, found, planted, false) in sorted(counts.items()):
        recall = f"{found / planted:.2f} ({found}/{planted})" if planted else "-"
        lines.append(f"| {pattern} | {kind} | {runs} | {recall} | {false} |")
    path = Path(settings.VAR_DIR) / "log" / "scenario-table.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", sorted(CATALOG))
def test_scenario(name: str, seed: int, tally: Tally) -> None:
    scenario = CATALOG[name](random.Random(seed))
    mined = mine(load(scenario.org))
    for pattern, expected in scenario.expected.items():
        found = scenario.matched(pattern, mined.findings.get(pattern, set()))
        kind = scenario.kind if pattern == scenario.pattern else "null"
        if kind == POSITIVE and not expected:
            kind = "null"
        row = tally[pattern, kind]
        row[0] += 1
        row[1] += len(found & expected)
        row[2] += len(expected)
        row[3] += len(found - expected)
    for pattern, expected in scenario.expected.items():
        found = scenario.matched(pattern, mined.findings.get(pattern, set()))
        assert found == expected, f"{pattern}: found {sorted(found)}, expected {sorted(expected)}"
    for key, value in scenario.context_metrics.items():
        assert mined.context.get(key) == value, key
    for key, value in scenario.person_metrics.items():
        assert mined.person.get(key) == value, key
