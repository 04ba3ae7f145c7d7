"""graph_reconcile and the reconcile_graph task give the same report: the command prints its
lines, the task returns it as a dict with the counts per entity kind and what was repaired."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from people.models import Person
from sociograph.graph import gateway, relay
from sociograph.graph.cypher import probe
from sociograph.graph.tasks import reconcile_graph
from tests.support.commands import run
from tests.support.orgs import STRAY_UUID

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]


@pytest.fixture
def org(small_org: Any, graph: None) -> None:
    run("import_org", str(small_org))
    relay.relay(wait_seconds=30)


def drift(active: bool) -> str:
    """A stray person in Neo4j and E4 changed in SQL only; E4's uuid."""
    gateway.write(probe.ADD_STRAY_PERSON, uuid=STRAY_UUID)
    e4 = Person.objects.get(external_id="E4")
    Person.objects.filter(pk=e4.pk).update(is_active=active)  # no outbox entry: drift
    return str(e4.uuid)


def task_report() -> dict[str, Any]:
    result: dict[str, Any] = reconcile_graph.apply().get()
    return result


@pytest.mark.usefixtures("org")
def test_the_task_returns_the_report_the_command_prints() -> None:
    e4 = drift(active=False)
    result = task_report()
    assert result["status"] == "ok"
    report = result["report"]
    assert report["checked"]["person"] == {
        "sql": 5,
        "neo4j": 6,
        "missing": 0,
        "extra": 1,
        "different": 1,
    }
    assert report["checked"]["membership"]["missing"] == 0
    assert report["repaired"] == 2
    assert report["after_repair"]["person"] == {
        "sql": 5,
        "neo4j": 5,
        "missing": 0,
        "extra": 0,
        "different": 0,
    }
    assert report["in_sync"] is True
    assert (
        f"person: sql 5, neo4j 6; extra 1 (e.g. {STRAY_UUID}); different 1 (e.g. {e4})"
        in (report["lines"])
    )
    assert report["lines"][-1] == "no drift"

    drift(active=True)  # the same drift again, for the command
    printed = run("graph_reconcile").splitlines()
    assert printed == report["lines"]


@pytest.mark.usefixtures("org")
def test_without_drift_both_say_so_and_repair_nothing() -> None:
    report = task_report()["report"]
    assert report["repaired"] is None
    assert report["lines"][-1] == "no drift"
    assert all(counts["sql"] == counts["neo4j"] for counts in report["checked"].values())
    assert run("graph_reconcile").splitlines() == report["lines"]


@pytest.mark.usefixtures("org")
def test_no_repair_prints_the_drift_and_fails() -> None:
    e4 = drift(active=False)
    out = io.StringIO()
    with pytest.raises(CommandError, match="drift found"):
        call_command("graph_reconcile", "--no-repair", stdout=out)
    assert "repaired" not in out.getvalue()
    assert f"different 1 (e.g. {e4})" in out.getvalue()
    assert task_report()["report"]["repaired"] == 2  # the task always repairs
