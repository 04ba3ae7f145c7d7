"""An organization for the outcome tests, and writing outcome CSV files.

M1 manages P1-P6 (team:Alpha; P1-P5 also in community:Guild); H1 manages P7-P11 (team:Beta) and
P12-P13 (team:Gamma). Memberships start on AS_OF, so answers from then on count for them."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command

from tests.support.csv_files import ORG_HEADER, write_csv

OUTCOME_HEADER = "kind,subject,at,value,scale,context"
AS_OF = "2025-01-01"
ALPHA = [f"P{n}" for n in range(1, 7)]
BETA = [f"P{n}" for n in range(7, 12)]
GAMMA = ["P12", "P13"]
PULSE_ORG = [
    "M1,Mia,,Manager,,team:Leadership",
    "H1,Hugo,,Manager,,team:Leadership",
    *(f"{p},{p} Name,,Engineer,M1,team:Alpha;community:Guild" for p in ALPHA[:5]),
    f"{ALPHA[5]},P6 Name,,Engineer,M1,team:Alpha",
    *(f"{p},{p} Name,,Analyst,H1,team:Beta" for p in BETA),
    *(f"{p},{p} Name,,Analyst,H1,team:Gamma" for p in GAMMA),
]


def import_pulse_org(directory: Path) -> None:
    path = write_csv(directory, "pulse-org.csv", ORG_HEADER, PULSE_ORG)
    call_command("import_org", str(path), "--as-of", AS_OF, stdout=io.StringIO())


def outcomes_csv(directory: Path, lines: list[str], name: str = "outcomes.csv") -> Path:
    return write_csv(directory, name, OUTCOME_HEADER, lines)


def answers(kind: str, people: list[str], at: str, value: int = 4, scale: str = "1-5") -> list[str]:
    """One answer of each person, as CSV lines."""
    return [f"{kind},{person},{at},{value},{scale}," for person in people]
