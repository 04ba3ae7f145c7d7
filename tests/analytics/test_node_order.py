"""The order of G's nodes must not depend on the uuids an import happened to draw: the seeded
draws of the null models (negative_contagion's ring sampling and permutations) and the order of
floating sums follow it, so two imports of the same data mined differently before."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from analytics.patterns import roster
from analytics.patterns.base import Window
from people.models import Person
from tests.support.csv_files import ORG_HEADER, write_csv

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]

# Listed out of order; uuids are drawn at random on import, so sorting by uuid scrambles them.
EXTERNAL_IDS = ["E05", "E01", "E08", "E03", "E07", "E02", "E06", "E04"]


def test_graph_people_follow_external_ids_not_uuids(tmp_path: Path) -> None:
    rows = [f"{person},Name {person},,Engineer,,team:Core" for person in EXTERNAL_IDS]
    call_command(
        "import_org", str(write_csv(tmp_path, "org.csv", ORG_HEADER, rows)), stdout=io.StringIO()
    )
    call_command("graph_rebuild", stdout=io.StringIO())
    external = {str(uuid): key for uuid, key in Person.objects.values_list("uuid", "external_id")}
    end = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
    nodes = roster.graph_people(Window(end - 90 * 86400, end, {}))
    assert [external[node] for node in nodes] == sorted(EXTERNAL_IDS)
