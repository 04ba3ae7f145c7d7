"""The network explorer: staff-only JSON read from SQL, privacy rules, deterministic layout, and a
page that needs no internet. Metrics come from a real `mine --sync` on the planted data."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from analytics.models import MiningRun, PersonMetric
from analytics.services import create_run
from people.models import Context, Membership, Person
from people.services import update_person
from sociograph.accounts.roles import Role
from sociograph.graph import relay
from tests.support.csv_files import EVENT_HEADER, ORG_HEADER, write_csv
from tests.support.users import user_with_role
from web.portal import network

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "web" / "portal" / "static" / "portal" / "vendor" / "cytoscape"
TEMPLATE = ROOT / "web" / "portal" / "templates" / "portal" / "network.html"
DATA = "portal:network-data"

# Hub: H1..H7 shown; H8 opts out, H9 leaves without a date (both still members). Tiny has 5
# members of whom H8 opts out: 4 left, so it is withheld. X1, X2 are outside Hub.
ORG = [f"H{i},Hub {i},,,,team:Hub" for i in range(1, 8)]
ORG += ["H8,Hub 8,,,,team:Hub;team:Tiny", "H9,Hub 9,,,,team:Hub"]
ORG += ["X1,Out 1,,,,team:Other", "X2,Out 2,,,,team:Other"]
ORG += [f"T{i},Tiny {i},,,,team:Tiny" for i in range(1, 5)]
INTERACTIONS = [  # source, target, events
    ("H1", "H2", 3),
    ("H2", "H1", 2),
    ("H1", "H3", 1),
    ("H3", "H4", 4),
    ("H4", "H5", 1),
    ("H5", "H6", 2),
    ("H6", "H1", 1),
    ("H2", "H3", 1),
    ("H1", "H8", 5),  # opted out
    ("H9", "H2", 2),  # inactive
    ("H1", "X1", 3),
    ("X1", "H2", 1),
    ("X2", "X1", 2),
    ("T1", "T2", 1),
]
RECOGNITIONS = [("H2", "H1", 0.9), ("H3", "H4", -0.6), ("X1", "H2", 0.5), ("H5", "H6", 0.2)]


def planted_events(now: datetime) -> list[str]:
    recent = now - timedelta(days=10)
    lines: list[str] = []
    for source, target, events in INTERACTIONS:
        for _n in range(events):
            at = recent + timedelta(minutes=len(lines))
            lines.append(f"interaction,{source},{target},,{at.isoformat()},,,,,chat,")
    old = (now - timedelta(days=200)).isoformat()  # outside every window below
    lines.append(f"interaction,H4,H5,,{old},,,,,chat,")
    lines += [f"recognition,{g},{r},,{recent.isoformat()},{a},,,,," for g, r, a in RECOGNITIONS]
    return lines


def expected_weights(
    events_csv: Path, shown: set[str], since: datetime
) -> dict[frozenset[str], int]:
    """Events per unordered pair among `shown`, counted straight from the file."""
    counts: Counter[frozenset[str]] = Counter()
    with events_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            inside = {row["source"], row["target"]} <= shown
            at = datetime.fromisoformat(row["at"])
            if row["kind"] == "interaction" and inside and at >= since:
                counts[frozenset((row["source"], row["target"]))] += 1
    return dict(counts)


class Planted:
    def __init__(self, folder: Path) -> None:
        self.now = datetime.now(tz=UTC)
        write_csv(folder, "org.csv", ORG_HEADER, ORG)
        self.events = write_csv(folder, "events.csv", EVENT_HEADER, planted_events(self.now))
        call_command("import_org", str(folder / "org.csv"), stdout=io.StringIO())
        call_command("import_events", str(self.events), stdout=io.StringIO())
        update_person(Person.objects.get(external_id="H8"), {"analytics_opt_out": True})
        update_person(Person.objects.get(external_id="H9"), {"is_active": False})
        self.ids = dict(Person.objects.values_list("external_id", "pk"))
        self.external = {pk: external for external, pk in self.ids.items()}

    def context(self, name: str) -> Context:
        return Context.objects.get(kind="team", name=name)

    def weights(self, answer: dict[str, Any]) -> dict[frozenset[str], int]:
        return {
            frozenset((self.external[e["source"]], self.external[e["target"]])): e["weight"]
            for e in answer["edges"]
        }

    def shown(self, answer: dict[str, Any]) -> set[str]:
        return {self.external[node["id"]] for node in answer["nodes"]}


@pytest.fixture
def planted(tmp_path: Path) -> Planted:
    return Planted(tmp_path)


@pytest.fixture
def run(planted: Planted) -> MiningRun:
    """A succeeded run with no metrics (reads that need no mining)."""
    run = create_run(window_days=90, now=planted.now)
    MiningRun.objects.filter(pk=run.pk).update(status="succeeded", finished_at=planted.now)
    run.refresh_from_db()
    return run


@pytest.fixture
def mined(planted: Planted, graph: None) -> MiningRun:
    relay.relay(wait_seconds=30)
    call_command("mine", "--sync", "--window-days=90", stdout=io.StringIO())
    return MiningRun.objects.get()


def client_as(role: Role | None) -> Client:
    client = Client()
    if role is not None:
        person = "H1" if role is Role.EMPLOYEE else None
        client.force_login(user_with_role(role, f"{role.value}-user", person=person, password="x"))
    return client


@pytest.fixture
def hr() -> Client:
    return client_as(Role.HR_ADMIN)


def data(client: Client, **params: Any) -> Any:
    response = client.get(reverse(DATA), params)
    assert response.status_code == 200, response.content
    return response.json()


# Access


def test_the_json_is_for_hr_only(planted: Planted, run: MiningRun) -> None:
    params = {"context": planted.context("Hub").pk}
    anonymous = Client().get(reverse(DATA), params)
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/json"
    employee = client_as(Role.EMPLOYEE).get(reverse(DATA), params)
    assert employee.status_code == 403
    assert "nodes" not in employee.json()
    assert client_as(Role.HR_ADMIN).get(reverse(DATA), params).status_code == 200


def test_the_page_is_for_hr_only(planted: Planted) -> None:
    anonymous = Client().get(reverse("portal:network"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("portal:login"))
    assert client_as(Role.EMPLOYEE).get(reverse("portal:network")).status_code == 403


def test_bad_requests_are_refused(planted: Planted, run: MiningRun, hr: Client) -> None:
    hub = planted.context("Hub").pk
    for params in ({}, {"context": hub, "person": 1}, {"context": "x"}, {"person": 1, "depth": 2}):
        assert hr.get(reverse(DATA), params).status_code == 400, params
    assert hr.get(reverse(DATA), {"context": 999999}).status_code == 404


def test_no_succeeded_run_yet(planted: Planted, hr: Client) -> None:
    create_run(window_days=90)  # queued, not succeeded
    answer = hr.get(reverse(DATA), {"context": planted.context("Hub").pk})
    assert answer.status_code == 409
    assert answer.json()["run"] is None


# Contents, with metrics of a real mining run


@pytest.mark.integration  # mined in Neo4j
def test_a_context_graph_with_exact_weights_and_the_run_metrics(
    planted: Planted, mined: MiningRun, hr: Client
) -> None:
    answer = data(hr, context=planted.context("Hub").pk)
    assert answer["withheld"] is False
    assert answer["run"]["id"] == mined.pk
    hub = {f"H{i}" for i in range(1, 8)}
    assert planted.shown(answer) == hub  # H8 opted out, H9 inactive; H7 has no interaction
    expected = expected_weights(planted.events, hub, mined.window_start)
    assert planted.weights(answer) == expected
    assert expected[frozenset(("H1", "H2"))] == 5  # both directions add up
    assert answer["truncated"] is False

    metrics = {
        (pk, metric): value
        for pk, metric, value in PersonMetric.objects.filter(run=mined).values_list(
            "person_id", "metric", "value"
        )
    }
    for node in answer["nodes"]:
        assert node["team"] == "Hub"
        assert node["label"] == Person.objects.get(pk=node["id"]).name
        assert node["url"] == reverse("portal:person", args=[node["id"]])
        assert node["betweenness"] == metrics.get((node["id"], "betweenness"))
        assert node["affect_exposure"] == metrics.get((node["id"], "affect_exposure"))
        assert 0 <= node["x"] <= network.LAYOUT_SIZE
        assert 0 <= node["y"] <= network.LAYOUT_SIZE
    assert any(node["affect_exposure"] is not None for node in answer["nodes"])

    # betweenness over the whole analysed graph, computed independently
    analysed = {e for e in planted.ids if e not in {"H8", "H9"}}
    whole = nx.Graph()
    whole.add_nodes_from(analysed)
    whole.add_edges_from(
        tuple(pair) for pair in expected_weights(planted.events, analysed, mined.window_start)
    )
    reference = nx.betweenness_centrality(whole, normalized=True)
    betweenness = {planted.external[n["id"]]: n["betweenness"] for n in answer["nodes"]}
    assert betweenness == pytest.approx({p: reference[p] for p in hub}, abs=1e-9)
    assert betweenness["H1"] > 0


@pytest.mark.integration  # mined in Neo4j
def test_a_person_neighbourhood(planted: Planted, mined: MiningRun, hr: Client) -> None:
    answer = data(hr, person=planted.ids["H1"], depth=1)
    assert answer["scope"]["kind"] == "person"
    shown = {"H1", "H2", "H3", "H6", "X1"}  # not H8: opted out
    assert planted.shown(answer) == shown
    assert planted.weights(answer) == expected_weights(planted.events, shown, mined.window_start)
    teams = {planted.external[n["id"]]: n["team"] for n in answer["nodes"]}
    assert teams["X1"] == "Other"


def test_opted_out_and_inactive_people_are_not_shown(
    planted: Planted, run: MiningRun, hr: Client
) -> None:
    for external in ("H8", "H9"):
        assert hr.get(reverse(DATA), {"person": planted.ids[external]}).status_code == 404
    everyone = data(hr, person=planted.ids["H2"])
    assert not {"H8", "H9"} & planted.shown(everyone)
    search = hr.get(reverse("portal:network"), {"q": "Hub"}).content.decode()
    assert "Hub 1" in search
    assert "Hub 8" not in search
    assert "Hub 9" not in search


def run_ended(planted: Planted, days_ago: int) -> MiningRun:
    """A succeeded 90-day run whose window ended `days_ago` days before now (the planted events,
    10 days old, are inside it when `days_ago` < 10)."""
    run = create_run(window_days=90, now=planted.now - timedelta(days=days_ago))
    MiningRun.objects.filter(pk=run.pk).update(status="succeeded", finished_at=planted.now)
    run.refresh_from_db()
    return run


def end_day_plus(run: MiningRun, days: int) -> date:
    """A day relative to the last day of the run's window."""
    return (run.window_end - timedelta(seconds=1)).date() + timedelta(days=days)


def end_hub_membership(planted: Planted, external: str, until: date) -> None:
    Membership.objects.filter(
        person_id=planted.ids[external], context=planted.context("Hub")
    ).update(until=until)


def leave(planted: Planted, external: str, left_on: date) -> None:
    update_person(Person.objects.get(external_id=external), {"left_on": left_on})


def test_a_membership_ended_before_the_window_end_is_not_shown(
    planted: Planted, hr: Client
) -> None:
    run = run_ended(planted, days_ago=5)
    end_hub_membership(planted, "H3", until=end_day_plus(run, -1))
    end_hub_membership(planted, "H4", until=end_day_plus(run, 0))  # its last day: in force
    answer = data(hr, context=planted.context("Hub").pk)
    assert planted.shown(answer) == {"H1", "H2", "H4", "H5", "H6", "H7"}
    assert "H3" not in {p for pair in planted.weights(answer) for p in pair}
    teams = {
        planted.external[n["id"]]: n["team"] for n in data(hr, person=planted.ids["H1"])["nodes"]
    }
    assert teams["H3"] is None  # still employed, so still a partner, but in no team at the end


def test_people_who_left_by_the_window_end_are_not_shown(planted: Planted, hr: Client) -> None:
    run = run_ended(planted, days_ago=5)
    leave(planted, "H3", end_day_plus(run, -2))
    leave(planted, "H4", end_day_plus(run, 0))  # left_on is the first day no longer employed
    answer = data(hr, context=planted.context("Hub").pk)
    assert planted.shown(answer) == {"H1", "H2", "H5", "H6", "H7"}
    for external in ("H3", "H4"):
        assert hr.get(reverse(DATA), {"person": planted.ids[external]}).status_code == 404
    assert "H3" not in planted.shown(data(hr, person=planted.ids["H1"]))


def test_people_who_left_after_the_window_end_are_shown_for_that_run(
    planted: Planted, hr: Client
) -> None:
    run = run_ended(planted, days_ago=5)
    leave(planted, "H5", end_day_plus(run, 1))  # in the past today, after the run's end day
    assert not Person.objects.get(external_id="H5").is_active
    answer = data(hr, context=planted.context("Hub").pk)
    assert "H5" in planted.shown(answer)
    assert planted.weights(answer)[frozenset(("H5", "H6"))] == 2
    around = data(hr, person=planted.ids["H5"])
    assert planted.shown(around) == {"H4", "H5", "H6"}
    search = hr.get(reverse("portal:network"), {"q": "Hub 5"}).content.decode()
    assert "Hub 5" in search


def test_withholding_counts_the_members_at_the_window_end(planted: Planted, hr: Client) -> None:
    run = run_ended(planted, days_ago=5)
    end_hub_membership(planted, "H6", until=end_day_plus(run, -1))
    leave(planted, "H7", end_day_plus(run, -1))
    assert len(data(hr, context=planted.context("Hub").pk)["nodes"]) == 5
    leave(planted, "H5", end_day_plus(run, 0))  # four members left at the end: withheld
    answer = data(hr, context=planted.context("Hub").pk)
    assert answer["withheld"] is True
    assert answer["nodes"] == []


def test_a_context_under_five_shown_members_is_withheld(
    planted: Planted, run: MiningRun, hr: Client
) -> None:
    answer = data(hr, context=planted.context("Tiny").pk)  # five members, one opted out
    assert answer["withheld"] is True
    assert answer["nodes"] == []
    assert answer["edges"] == []


def test_events_outside_the_window_do_not_count(planted: Planted, hr: Client) -> None:
    run = create_run(window_days=5, now=planted.now)  # the planted events are 10 days old
    MiningRun.objects.filter(pk=run.pk).update(status="succeeded", finished_at=planted.now)
    answer = data(hr, context=planted.context("Hub").pk)
    assert len(answer["nodes"]) == 7
    assert answer["edges"] == []


# Layout and cap


def test_positions_are_deterministic(planted: Planted, run: MiningRun, hr: Client) -> None:
    first = data(hr, context=planted.context("Hub").pk)
    second = data(hr, context=planted.context("Hub").pk)
    assert first["nodes"] == second["nodes"]
    positions = {(n["x"], n["y"]) for n in first["nodes"]}
    assert len(positions) == len(first["nodes"])  # nobody stacked on another


def test_the_cap_keeps_the_best_connected(planted: Planted, run: MiningRun) -> None:
    capped = network.context_network(planted.context("Hub"), run, max_nodes=3)
    kept = {planted.external[node.id] for node in capped.nodes}
    # partners inside Hub: H1 3, H3 3, H2 H4 H5 H6 2, H7 0; ties go to the smaller id
    ties = sorted(planted.ids[p] for p in ("H2", "H4", "H5", "H6"))
    assert kept == {"H1", "H3", planted.external[ties[0]]}
    assert capped.truncated
    assert capped.total_nodes == 7
    assert all({e.source, e.target} <= {n.id for n in capped.nodes} for e in capped.edges)
    assert capped.as_json()["truncated"] is True

    around = network.person_network(planted.ids["H6"], run, max_nodes=2)
    # H6's partners H1 and H5 each have one partner in the neighbourhood: the smaller id stays
    tie = min(planted.ids["H1"], planted.ids["H5"])
    assert {n.id for n in around.nodes} == {planted.ids["H6"], tie}


# The page and its assets


def test_the_vendored_cytoscape_matches_its_readme() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert "3.34.4" in readme
    assert "MIT" in readme
    recorded = re.search(r"\b[0-9a-f]{64}\b", readme)
    assert recorded is not None
    actual = hashlib.sha256((VENDOR / "cytoscape.min.js").read_bytes()).hexdigest()
    assert actual == recorded.group(0)
    assert (VENDOR / "LICENSE").read_text(encoding="utf-8").startswith("Copyright")


def test_the_page_uses_only_local_assets(planted: Planted, hr: Client) -> None:
    hub = planted.context("Hub").pk
    page = hr.get(reverse("portal:network"), {"context": hub})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="network"' in html
    assert f'data-source="{reverse(DATA)}?context={hub}"' in html
    sources = re.findall(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"([^\"]+)\"", html)
    assert "/static/portal/vendor/cytoscape/cytoscape.min.js" in sources
    assert "/static/portal/network.js" in sources
    assert not [s for s in sources if re.match(r"(https?:)?//", s)]
    for asset in ("portal/network.js", "portal/vendor/cytoscape/cytoscape.min.js"):
        assert hr.get(f"/static/{asset}").status_code == 200
    template = TEMPLATE.read_text(encoding="utf-8")
    assert not re.search(r"\son[a-z]+\s*=", template)  # no inline event handlers
    assert "<script>" not in template
