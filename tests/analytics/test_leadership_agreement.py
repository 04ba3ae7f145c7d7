"""The portal's leadership view and the mined leadership findings read the gaps from one rule
(analytics.leadership_gaps): on an organization that is one team, with every follow and
recognition made in it, the view of the team lists the run's informal and unrecognized leaders."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from analytics.models import Finding, MiningRun
from analytics.services import create_run, execute_run
from people.models import Context
from sociograph.graph import relay
from tests.support.csv_files import EVENT_HEADER, ORG_HEADER, write_csv
from web.portal.selectors import leadership

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]

NOW = datetime(2026, 11, 1, tzinfo=UTC)
AT = "2026-10-10T09:00:00Z"
ONE_TEAM = [
    "BOSS,Bo,,Director,,team:Core",
    "M2,Mo,,Manager,BOSS,team:Core",
    "S1,Sy,,Engineer,BOSS,team:Core",
    "S2,Su,,Engineer,BOSS,team:Core",
    "R1,Ra,,Engineer,M2,team:Core",
    "R2,Ro,,Engineer,M2,team:Core",
    "R3,Ru,,Engineer,M2,team:Core",
]
EVENTS = [
    # S1 (no reports) followed by 3: informal; R2 followed by 2: a near miss.
    *(f"follow,{report},S1,team:Core,{AT},,,,,," for report in ("R1", "R2", "R3")),
    *(f"follow,{report},R2,team:Core,{AT},,,,,," for report in ("R1", "R3")),
    # BOSS is recognized by a report; M2 only by S2, who does not report to M2.
    f"recognition,S2,BOSS,team:Core,{AT},0.9,,,,,",
    f"recognition,S2,M2,team:Core,{AT},0.9,,,,,",
]


@pytest.fixture
def mined(tmp_path: Path) -> MiningRun:
    write_csv(tmp_path, "org.csv", ORG_HEADER, ONE_TEAM)
    write_csv(tmp_path, "events.csv", EVENT_HEADER, EVENTS)
    call_command("import_org", str(tmp_path / "org.csv"), stdout=io.StringIO())
    call_command("import_events", str(tmp_path / "events.csv"), stdout=io.StringIO())
    relay.relay(wait_seconds=30)
    return execute_run(create_run(window_days=90, now=NOW).pk)


def mined_subjects(run: MiningRun, pattern: str) -> list[str]:
    found = Finding.objects.filter(run=run, pattern=pattern)
    return sorted(found.values_list("subjects__external_id", flat=True))


def test_the_portal_view_of_a_one_team_org_lists_the_mined_gaps(mined: MiningRun) -> None:
    view = leadership(Context.objects.get(kind="team", name="Core"))
    assert not view.withheld
    assert view.run == mined
    assert sorted(person.external_id for person in view.informal) == ["S1"]
    assert sorted(person.external_id for person in view.unrecognized) == ["M2"]
    assert mined_subjects(mined, "informal_leader") == ["S1"]
    assert mined_subjects(mined, "unrecognized_formal_leader") == ["M2"]
