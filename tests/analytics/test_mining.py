"""Mining runs against the real Neo4j: metrics equal an independent networkx computation on the
real InVS13 data; leadership findings fire on planted instances and not on near misses."""

from __future__ import annotations

import io
import math
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import networkx as nx
import pytest
from django.core.management import call_command

from analytics.models import Finding, MiningRun, PersonMetric, RunStatus
from analytics.services import create_run, execute_run
from people.models import Context, Person
from recognition.models import Interaction
from sociograph.graph import relay
from tests.support.csv_files import EVENT_HEADER, ORG_HEADER, write_csv
from tests.support.orgs import LEADERSHIP_ORG
from tests.support.users import user_with_role
from tests.support.workers import wait_for_idle_workers

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]

START = datetime(2026, 10, 5, tzinfo=UTC)  # InVS13 placed on two weeks from this Monday
NOW = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def invs13() -> None:
    call_command(
        "import_sociopatterns",
        "--dataset=InVS13",
        f"--start={START.isoformat()}",
        stdout=io.StringIO(),
    )
    relay.relay(wait_seconds=60)


def metrics(run: MiningRun, name: str) -> dict[str, float]:
    rows = PersonMetric.objects.filter(run=run, metric=name)
    return {str(uuid): value for uuid, value in rows.values_list("person__uuid", "value")}


def reference_graph() -> tuple[nx.DiGraph, dict[str, list[float]], list[str]]:
    """G, each person's event times, and the active people: straight from SQL, not Neo4j."""
    graph: nx.DiGraph = nx.DiGraph()
    times: dict[str, list[float]] = defaultdict(list)
    for source, target, at in Interaction.objects.values_list("source__uuid", "target__uuid", "at"):
        if source == target:
            continue
        weight = graph.get_edge_data(str(source), str(target), {"events": 0})["events"]
        graph.add_edge(str(source), str(target), events=weight + 1)
        times[str(source)].append(at.timestamp())
        times[str(target)].append(at.timestamp())
    people = [str(uuid) for uuid in Person.objects.values_list("uuid", flat=True)]
    return graph, times, people


def test_communication_metrics_match_networkx_on_invs13(invs13: None) -> None:
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    assert run.status == RunStatus.SUCCEEDED
    graph, times, people = reference_graph()
    undirected = nx.Graph()
    undirected.add_nodes_from(people)
    undirected.add_edges_from(graph.to_undirected().edges())

    assert metrics(run, "out_degree") == {
        p: float(d) for p, d in graph.out_degree() if d or graph.in_degree(p)
    }
    assert metrics(run, "in_degree") == {p: float(d) for p, d in graph.in_degree()}
    reciprocity = metrics(run, "reciprocity")
    for person in graph.nodes():
        outs = list(graph.successors(person))
        if outs:
            expected = sum(graph.has_edge(t, person) for t in outs) / len(outs)
            assert reciprocity[person] == pytest.approx(expected)
    org = dict(run.org_metrics.values_list("metric", "value"))
    assert org["reciprocity"] == pytest.approx(nx.reciprocity(graph))

    betweenness = nx.betweenness_centrality(undirected, normalized=True)
    assert metrics(run, "betweenness") == pytest.approx(betweenness, abs=1e-9)
    constraint = {p: c for p, c in nx.constraint(undirected).items() if not math.isnan(c)}
    assert metrics(run, "constraint") == pytest.approx(constraint, abs=1e-9)

    entropy = metrics(run, "partner_entropy")
    for person in undirected.nodes():
        counts = [
            graph.get_edge_data(person, other, {"events": 0})["events"]
            + graph.get_edge_data(other, person, {"events": 0})["events"]
            for other in undirected.neighbors(person)
        ]
        if counts:
            k = len(counts)
            expected = (
                0.0
                if k < 2
                else -sum(c / sum(counts) * math.log(c / sum(counts)) for c in counts) / math.log(k)
            )
            assert entropy[person] == pytest.approx(expected)

    bursts = metrics(run, "burstiness")
    for person, moments in times.items():
        ordered = sorted(set(moments))  # distinct instants
        gaps = [b - a for a, b in pairwise(ordered)]
        if len(gaps) >= 2:
            mu = sum(gaps) / len(gaps)
            sigma = math.sqrt(sum((g - mu) ** 2 for g in gaps) / len(gaps))
            assert bursts[person] == pytest.approx((sigma - mu) / (sigma + mu))
    assert run.graph_size["people"] == 92
    assert run.graph_size["arcs"] == graph.number_of_edges() == 755


def test_a_window_that_misses_the_data_gives_no_interaction_metrics(invs13: None) -> None:
    run = execute_run(create_run(window_days=7, now=START).pk)
    everyone = {str(uuid) for uuid in Person.objects.values_list("uuid", flat=True)}
    assert metrics(run, "out_degree") == dict.fromkeys(everyone, 0.0)  # isolates, not unknown
    assert metrics(run, "partner_entropy") == dict.fromkeys(everyone, 0.0)
    assert metrics(run, "betweenness") == dict.fromkeys(everyone, 0.0)
    assert metrics(run, "reciprocity") == metrics(run, "burstiness") == {}


# Leadership: E1 CEO; E2 manages E3, E4; E5 reports to E1; E6, E7, E8 in community Guild.
AT = "2026-10-10T09:00:00Z"


def follow(source: str, target: str, context: str) -> str:
    return f"follow,{source},{target},{context},{AT},,,,,,"


@pytest.fixture
def leadership_org(tmp_path: Path) -> None:
    org = write_csv(
        tmp_path,
        "org.csv",
        "external_id,name,email,title,manager_external_id,contexts",
        LEADERSHIP_ORG,
    )
    events = [
        # E6 follows only E3: attention blindness. E7 follows E3 and E1: a near miss.
        follow("E6", "E3", "community:Guild"),
        follow("E7", "E3", "community:Guild"),
        follow("E7", "E1", "team:Leadership"),
        # E3 (no reports) followed by E6, E7, E8: informal leader; E4 followed by 2: near miss.
        follow("E8", "E3", "community:Guild"),
        follow("E8", "E4", "community:Guild"),
        follow("E5", "E4", "community:Guild"),
        # Platform: E3 follows E2 (E2's report) -> E2 is recognized; E5's reports never do.
        follow("E3", "E2", "team:Platform"),
        follow("E4", "E1", "team:Leadership"),
        follow("E5", "E1", "team:Leadership"),
        follow("E2", "E1", "team:Leadership"),
        # Guild follows: E3 gets 3 of 6 (50 %): not a single point. Leadership: E1 gets all 4.
    ]
    event_file = write_csv(tmp_path, "events.csv", EVENT_HEADER, events)
    call_command("import_org", str(org), stdout=io.StringIO())
    call_command("import_events", str(event_file), stdout=io.StringIO())
    relay.relay(wait_seconds=30)


def import_planted(folder: Path, org: list[str], events: list[str]) -> None:
    """Import a small planted organization and its events, and project them."""
    write_csv(folder, "org.csv", ORG_HEADER, org)
    write_csv(folder, "events.csv", EVENT_HEADER, events)
    call_command("import_org", str(folder / "org.csv"), stdout=io.StringIO())
    call_command("import_events", str(folder / "events.csv"), stdout=io.StringIO())
    relay.relay(wait_seconds=30)


def subjects(run: MiningRun, pattern: str) -> set[tuple[str, ...]]:
    return {
        tuple(sorted(finding.subjects.values_list("external_id", flat=True)))
        for finding in Finding.objects.filter(run=run, pattern=pattern)
    }


def test_leadership_findings_on_planted_instances(leadership_org: None) -> None:
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    assert subjects(run, "attention_blindness") == {("E2",), ("E3",), ("E4",), ("E6",)}
    assert subjects(run, "informal_leader") == {("E3",)}
    assert subjects(run, "unrecognized_formal_leader") == {("E5",)}
    single = Finding.objects.get(run=run, pattern="single_point_leader")
    assert list(single.subjects.values_list("external_id", flat=True)) == ["E1"]
    assert single.context == Context.objects.get(kind="team", name="Leadership")
    assert single.detail["share"] == 1.0
    leaders = dict(
        PersonMetric.objects.filter(run=run, metric="leader_count").values_list(
            "person__external_id", "value"
        )
    )
    assert leaders == {"E2": 1, "E3": 1, "E4": 1, "E5": 2, "E6": 1, "E7": 2, "E8": 2}


def test_follows_outside_the_window_do_not_count(leadership_org: None) -> None:
    run = execute_run(create_run(window_days=5, now=datetime(2026, 10, 9, tzinfo=UTC)).pk)
    found = set(Finding.objects.filter(run=run).values_list("pattern", flat=True))
    assert "unrecognized_formal_leader" in found  # no follow in force: every manager
    assert not found & {"attention_blindness", "informal_leader", "single_point_leader"}


def test_a_rerun_of_a_finished_step_is_skipped_and_results_are_not_duplicated(
    leadership_org: None,
) -> None:
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    before = PersonMetric.objects.filter(run=run).count()
    finished = {name: step["finished_at"] for name, step in run.steps.items()}
    run.status = RunStatus.RUNNING
    run.steps["leadership"] = {"status": "pending"}
    run.save()
    rerun = execute_run(run.pk)
    assert PersonMetric.objects.filter(run=run).count() == before
    again = {name: step["finished_at"] for name, step in rerun.steps.items()}
    assert again["leadership"] != finished["leadership"]  # re-executed
    assert {k: v for k, v in again.items() if k != "leadership"} == {
        k: v for k, v in finished.items() if k != "leadership"
    }  # the others were skipped


def test_exports_follow_the_interface(leadership_org: None) -> None:
    execute_run(create_run(window_days=90, now=NOW).pk)
    out = io.StringIO()
    call_command("export_metrics", "--run", "latest", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "scope,subject,metric,value"
    assert "person,E5,leader_count,2" in lines
    out = io.StringIO()
    call_command("export_findings", "--run", "latest", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "pattern,severity,subjects,context,detail"
    assert "informal_leader,info,E3,,followers=3" in lines
    assert any(line.startswith("single_point_leader,warning,E1,team:Leadership,") for line in lines)


def test_erasing_a_person_removes_their_findings(leadership_org: None) -> None:
    from people.services import erase_person

    run = execute_run(create_run(window_days=90, now=NOW).pk)
    erase_person(Person.objects.get(external_id="E6"))
    assert subjects(run, "attention_blindness") == {("E2",), ("E3",), ("E4",)}
    assert not PersonMetric.objects.filter(person__external_id="E6").exists()


@pytest.mark.django_db(transaction=True)
def test_mine_runs_in_a_real_worker(leadership_org: None, celery_worker: str) -> None:
    out = io.StringIO()
    call_command("mine", "--wait", "--window-days=90", "--timeout=120", stdout=out)
    assert "succeeded" in out.getvalue().splitlines()[-1]
    run = MiningRun.objects.get()
    assert run.status == RunStatus.SUCCEEDED
    assert set(run.steps) == {
        "communication",
        "recognition",
        "leadership",
        "contexts",
        "contagion",
        "health",
    }
    assert Finding.objects.filter(run=run, pattern="informal_leader").exists()
    wait_for_idle_workers()


def test_context_and_org_metrics_match_an_independent_computation_on_invs13(
    invs13: None,
) -> None:
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    graph, _, people = reference_graph()
    teams: dict[str, set[str]] = defaultdict(set)
    for uuid, team_uuid in Person.objects.values_list("uuid", "memberships__context__uuid"):
        teams[str(team_uuid)].add(str(uuid))
    context_metrics = {
        (str(uuid), metric): value
        for uuid, metric, value in run.context_metrics.values_list(
            "context__uuid", "metric", "value"
        )
    }
    weeks = 90 / 7
    team_of = {person: team for team, members in teams.items() for person in members}
    for team, members in teams.items():
        inside = [
            (s, t, d["events"])
            for s, t, d in graph.edges(data=True)
            if s in members and t in members
        ]
        touching = [
            (s, t, d["events"])
            for s, t, d in graph.edges(data=True)
            if s in members or t in members
        ]
        ties = {frozenset(edge) for edge in graph.to_undirected().edges()}
        inside_ties = sum(1 for tie in ties if tie <= members)
        crossing_ties = sum(1 for tie in ties if len(tie & members) == 1)
        assert context_metrics[team, "size"] == len(members)
        assert context_metrics[team, "energy"] == pytest.approx(
            sum(e for *_, e in inside) / len(members) / weeks
        )
        crossing = sum(e for s, t, e in touching if (s in members) != (t in members))
        assert context_metrics[team, "exploration"] == pytest.approx(
            crossing / sum(e for *_, e in touching)
        )
        assert context_metrics[team, "ei_index"] == pytest.approx(  # undirected ties
            (crossing_ties - inside_ties) / (crossing_ties + inside_ties)
        )
    org = dict(run.org_metrics.values_list("metric", "value"))
    undirected = nx.Graph()
    undirected.add_nodes_from(people)
    undirected.add_edges_from(graph.to_undirected().edges())
    communities = list(teams.values())
    assert org["modularity_of_teams"] == pytest.approx(
        nx.community.modularity(undirected, communities), abs=1e-9
    )
    edges = list(undirected.edges())
    external = sum(1 for s, t in edges if team_of[s] != team_of[t])
    assert org["ei_index"] == pytest.approx((external - (len(edges) - external)) / len(edges))
    # SocioPatterns has no recognitions: everyone is "never recognized"
    assert org["never_recognized_share"] == 1.0
    isolated = {p for p in people if graph.degree(p) == 0}
    found = {
        str(uuid)
        for uuid in Finding.objects.filter(run=run, pattern="isolation").values_list(
            "subjects__uuid", flat=True
        )
    }
    assert found == isolated


def test_silo_and_centralization_on_a_planted_team(tmp_path: Path) -> None:
    org = [f"S{i},Silo {i},,Engineer,,team:Vault" for i in range(1, 6)]
    org += [f"O{i},Open {i},,Engineer,,team:Bazaar" for i in range(1, 6)]
    org += [f"N{i},Nook {i},,Engineer,,team:Nook" for i in range(1, 5)]  # only 4 members
    events = []
    for team in ("S", "N"):
        size = 6 if team == "S" else 5
        for i in range(1, size):
            for j in range(1, size):
                if i != j:
                    events.append(f"interaction,{team}{i},{team}{j},,{AT},,,,,chat,")
    events.append(f"interaction,O1,S1,,{AT},,,,,chat,")  # Vault: 1 of 21 events crosses
    events += [f"interaction,O{i},N1,,{AT},,,,,chat," for i in range(1, 6)]
    events += [follow(f"O{i}", "O1", "team:Bazaar") for i in range(2, 6)]  # a star
    import_planted(tmp_path, org, events)
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    metric = {
        (name, m): v
        for name, m, v in run.context_metrics.values_list("context__name", "metric", "value")
    }
    assert metric["Vault", "exploration"] == pytest.approx(1 / 21)
    assert metric["Nook", "exploration"] == pytest.approx(5 / 17)
    assert metric["Bazaar", "exploration"] == pytest.approx(1.0)
    assert metric["Bazaar", "leadership_centralization"] == pytest.approx(1.0)
    assert ("Vault", "leadership_centralization") not in metric  # no follows: no value
    silos = Finding.objects.filter(run=run, pattern="silo")
    assert [finding.context.name for finding in silos if finding.context] == ["Vault"]


def test_recognition_equity_isolation_and_invisible_contributors(tmp_path: Path) -> None:
    org = [f"P{i},Person {i},,Engineer,,team:Crew" for i in range(1, 9)]
    events = [f"interaction,P1,P{j},,{AT},,,,,chat," for j in (2, 3, 4)]
    events += [f"interaction,P{j},P1,,2026-10-11T0{j}:00:00Z,,,,,chat," for j in (2, 3, 4)]
    events += [f"interaction,P2,P3,,{AT},,,,,chat,"]
    # P2 and P3 are recognized; P6 too, though silent. P1 is busiest and never recognized.
    events += [f"recognition,P4,P2,,{AT},0.9,,,,,", f"recognition,P4,P3,,{AT},0.5,,,,,"]
    events += [f"recognition,P2,P6,,{AT},0.7,,,,,", f"recognition,P3,P6,,{AT},0.7,,,,,"]
    import_planted(tmp_path, org, events)
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    # interaction events: P1 6, P2 3, P3 3, P4 2, others 0; 75th percentile (nearest rank) = 3
    assert subjects(run, "invisible_contributor") == {("P1",)}  # P4 (2 events) is below
    assert subjects(run, "isolation") == {("P5",), ("P7",), ("P8",)}
    received = {"P2": 1, "P3": 1, "P6": 2}
    counts = sorted(float(received.get(f"P{i}", 0)) for i in range(1, 9))
    n = len(counts)
    gini = sum((2 * (i + 1) - n - 1) * c for i, c in enumerate(counts)) / (n * sum(counts))
    org_metrics = dict(run.org_metrics.values_list("metric", "value"))
    assert org_metrics["recognition_gini"] == pytest.approx(gini)
    assert org_metrics["never_recognized_share"] == pytest.approx(5 / 8)
    given = dict(
        PersonMetric.objects.filter(run=run, metric="recognition_given").values_list(
            "person__external_id", "value"
        )
    )
    assert given["P4"] == 2
    assert given["P1"] == 0


def test_brokers_and_narrow_patterns(tmp_path: Path) -> None:
    # Two cliques of 6 joined only through B; N talks 25 times to one person, once to another.
    org = [f"L{i},Left {i},,,,team:Left" for i in range(1, 7)]
    org += [f"R{i},Right {i},,,,team:Right" for i in range(1, 7)]
    org += ["B,Bridge,,,,team:Left", "N,Narrow,,,,team:Right"]
    events = [
        f"interaction,{side}{i},{side}{j},,{AT},,,,,chat,"
        for side in "LR"
        for i in range(1, 7)
        for j in range(1, 7)
        if i < j
    ]
    events += [f"interaction,B,{side}{i},,{AT},,,,,chat," for side in "LR" for i in range(1, 7)]
    events += [f"interaction,N,R2,,2026-10-{day:02d}T10:00:00Z,,,,,chat," for day in range(1, 26)]
    events += [f"interaction,N,R3,,{AT},,,,,chat,"]
    import_planted(tmp_path, org, events)
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    assert subjects(run, "broker") == {("B",)}
    assert subjects(run, "narrow_pattern") == {("N",)}


def entropy_of(counts: list[int]) -> float:
    """Shannon entropy of the counts over log(number of partners): 0 with fewer than two."""
    if len(counts) < 2:
        return 0.0
    total = sum(counts)
    return -sum(c / total * math.log(c / total) for c in counts) / math.log(len(counts))


def test_narrow_pattern_near_misses(tmp_path: Path) -> None:
    # Events per partner (both directions count): M19 one event short of 20 with low entropy;
    # K19 19 events with one partner; E25 25 events with entropy just above 0.3; N26 and T20
    # just inside both thresholds. A..D are their partners.
    talks = {
        ("M19", "D"): 18,
        ("M19", "B"): 1,
        ("K19", "D"): 19,
        ("T20", "C"): 19,
        ("T20", "B"): 1,
        ("E25", "A"): 23,
        ("E25", "B"): 1,
        ("E25", "C"): 1,
        ("N26", "A"): 24,
        ("N26", "B"): 1,
        ("N26", "C"): 1,
    }
    people = ["A", "B", "C", "D", "M19", "K19", "T20", "E25", "N26"]
    org = [f"{person},Person {person},,,,team:Net" for person in people]
    events, minute = [], 0
    for (person, partner), count in talks.items():
        for k in range(count):  # every other event the other way round
            source, target = (person, partner) if k % 2 == 0 else (partner, person)
            minute += 1
            at = datetime(2026, 10, 1, 9, tzinfo=UTC) + timedelta(minutes=minute)
            events.append(f"interaction,{source},{target},,{at.isoformat()},,,,,chat,")
    import_planted(tmp_path, org, events)
    run = execute_run(create_run(window_days=90, now=NOW).pk)

    with_partner: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (person, partner), count in talks.items():
        with_partner[person][partner] += count
        with_partner[partner][person] += count
    events_of = {person: sum(partners.values()) for person, partners in with_partner.items()}
    entropy = {person: entropy_of(list(p.values())) for person, p in with_partner.items()}
    assert (events_of["M19"], events_of["K19"]) == (19, 19)
    assert entropy["M19"] < 0.3
    assert entropy["K19"] == 0.0
    assert events_of["E25"] == 25
    assert 0.3 < entropy["E25"] < 0.305  # just above the threshold
    assert events_of["T20"] == 20
    assert entropy["T20"] < 0.3
    assert events_of["N26"] == 26
    assert 0.295 < entropy["N26"] < 0.3  # just below it
    by_id = {
        str(uuid): external_id
        for uuid, external_id in Person.objects.values_list("uuid", "external_id")
    }
    stored = {by_id[uuid]: value for uuid, value in metrics(run, "partner_entropy").items()}
    assert stored == pytest.approx(entropy)
    flagged = {(person,) for person in people if events_of[person] >= 20 and entropy[person] < 0.3}
    assert flagged == {("N26",), ("T20",)}
    assert subjects(run, "narrow_pattern") == flagged
    details = {
        tuple(finding.subjects.values_list("external_id", flat=True)): finding.detail
        for finding in Finding.objects.filter(run=run, pattern="narrow_pattern")
    }
    assert details[("T20",)]["events"] == 20


def test_emotional_contagion_and_its_time_decay(tmp_path: Path) -> None:
    """A person's affect is what they gave; at distance 1 a partner's affect leaves out what the
    partner gave the person (docs/analytics.md, affect_exposure)."""
    org = [f"{g}{i},{g} {i},,,,team:T{g}" for g in "XYZ" for i in range(1, 5)]
    org += ["P,Pat,,,,team:Pair", "Q,Quinn,,,,team:Pair", "R,Rey,,,,team:Pair"]
    events = [f"interaction,X{i},X{i + 1},,{AT},-0.9,,,,chat," for i in (1, 2, 3)]  # a chain of 4
    events += [f"interaction,Y1,Y2,,{AT},-0.9,,,,chat,"]
    events += [f"interaction,Z{i},Z{i + 1},,{AT},0.8,,,,chat," for i in (1, 2)]
    events += [  # P -> R, +1 now and -1 thirty days before the window's end; P -> Q, no affect
        "interaction,P,R,,2026-10-31T23:59:59Z,1,,,,chat,",
        "interaction,P,R,,2026-10-01T23:59:59Z,-1,,,,chat,",
        f"interaction,P,Q,,{AT},,,,,chat,",
    ]
    import_planted(tmp_path, org, events)
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    exposure = dict(
        PersonMetric.objects.filter(run=run, metric="affect_exposure").values_list(
            "person__external_id", "value"
        )
    )
    # X1 sees X2 (-0.9) at distance 1 and X3 at 2; X4 gave nothing.
    assert exposure["X1"] == pytest.approx(-0.9 * (1 + 0.64))
    # X2: X1 gave only to X2, so X2 sees nothing of X1; X3 at distance 1; X4 gave nothing.
    assert exposure["X2"] == pytest.approx(-0.9)
    # X4: all X3 gave went to X4 (left out); X2 at distance 2, X1 at 3.
    assert exposure["X4"] == pytest.approx(-0.9 * (0.64 + 0.37))
    decay = math.exp(-1)  # the older event is 30 days (one tau) older
    assert exposure["Q"] == pytest.approx((1 * 1 + (-1) * decay) / (1 + decay), abs=1e-4)
    assert "R" not in exposure  # all R knows of P is what P told R
    # Twelve people in chains: no group is beyond what permuting affect gives (scenario library
    # for planted clusters).
    assert subjects(run, "negative_contagion") == set()


def test_recognition_ring_through_a_run(tmp_path: Path) -> None:
    rng = random.Random(5)
    crowd = [f"K{i}" for i in range(1, 41)]
    org = [f"R{i},Ring {i},,,,team:Ring" for i in range(1, 5)] + ["W,Wide,,,,team:Ring"]
    org += [f"{k},Crowd {k},,,,team:Crowd" for k in crowd]
    events = [
        f"recognition,R{a},R{b},,2026-10-{day:02d}T09:00:00Z,0.5,,,,,"
        for a in range(1, 4)
        for b in range(1, 4)
        if a != b
        for day in (1, 2)
    ]  # R1-R3: 4 each, all inside
    events += [f"recognition,R4,R1,,2026-10-{day:02d}T09:00:00Z,0.5,,,,," for day in (1, 2, 3)]
    events += [f"recognition,W,R{i},,2026-10-05T09:00:00Z,0.5,,,,," for i in range(1, 5)]
    events += [  # 40 people recognizing 3 others at random
        f"recognition,{k},{other},,2026-10-{n + 10:02d}T09:00:00Z,0.5,,,,,"
        for k in crowd
        for n, other in enumerate(rng.sample([c for c in crowd if c != k], 3))
    ]
    import_planted(tmp_path, org, events)
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    # R4 gives only to R1 but nobody in the group recognizes R4; W gives widely, unrecognized.
    assert subjects(run, "recognition_ring") == {("R1", "R2", "R3")}
    ring = Finding.objects.get(run=run, pattern="recognition_ring")
    assert ring.detail["internal_recognitions"] == 12
    assert ring.detail["p_value"] < 0.01


def test_health_index_composition_on_invs13(invs13: None) -> None:
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    org = dict(run.org_metrics.values_list("metric", "value"))
    assert org["viability.reciprocity"] == pytest.approx(org["reciprocity"])
    assert org["viability.recognition_reach"] == 0.0  # SocioPatterns has no recognitions
    assert org["viability.leadership_coverage"] == 0.0  # ... and no follows
    assert org["agility.boundary_spanning"] == pytest.approx((org["ei_index"] + 1) / 2)
    assert org["agility.openness"] == pytest.approx(1 - org["modularity_of_teams"])
    assert "wellbeing.affect" not in org  # no affect recorded: left out, not guessed
    assert "wellbeing.recognition_equity" not in org
    for dimension in ("viability", "agility", "wellbeing"):
        parts = [value for name, value in org.items() if name.startswith(f"{dimension}.")]
        assert org[dimension] == pytest.approx(100 * sum(parts) / len(parts))
        assert 0 <= org[dimension] <= 100


# Health index, one planted organization per dimension. Each component is computed here by hand
# from the planted events (the documented formula), checked against the run's own stored inputs,
# and compared with a contrasting organization where it must move the documented way.


class Event(NamedTuple):
    kind: str
    source: str
    target: str
    at: str
    context: str = ""
    affect: float | None = None


def event_lines(events: list[Event]) -> list[str]:
    return [
        f"{e.kind},{e.source},{e.target},{e.context},{e.at},"
        f"{'' if e.affect is None else e.affect},,,,{'chat' if e.kind == 'interaction' else ''},"
        for e in events
    ]


def org_metrics(run: MiningRun) -> dict[str, float]:
    return dict(run.org_metrics.values_list("metric", "value"))


def team_metric(run: MiningRun, metric: str) -> dict[str, float]:
    rows = run.context_metrics.filter(metric=metric, context__kind="team")
    return dict(rows.values_list("context__name", "value"))


def gini_by_differences(values: list[float]) -> float:
    """Mean absolute difference over twice the mean (the textbook definition)."""
    n, total = len(values), sum(values)
    return sum(abs(a - b) for a in values for b in values) / (2 * n * total)


def assert_dimension(org: dict[str, float], dimension: str, parts: dict[str, float]) -> None:
    for name, value in parts.items():
        assert org[f"{dimension}.{name}"] == pytest.approx(value), name
    assert org[dimension] == pytest.approx(100 * sum(parts.values()) / len(parts))


def viability_by_hand(people: list[str], events: list[Event]) -> dict[str, float]:
    arcs = {(e.source, e.target) for e in events if e.kind == "interaction"}
    talking = {person for arc in arcs for person in arc}
    recognized = {e.target for e in events if e.kind == "recognition"}
    leaders: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.kind == "follow":
            leaders[e.source].add(e.target)
    isolated = [p for p in people if p not in talking and p not in recognized]
    return {
        "reciprocity": sum((t, s) in arcs for s, t in arcs) / len(arcs),
        "connectedness": 1 - len(isolated) / len(people),
        "leadership_coverage": sum(len(leaders[p]) >= 2 for p in people) / len(people),
        "recognition_reach": len(recognized) / len(people),
    }


def test_health_viability_on_a_planted_org_and_after_it_improves(tmp_path: Path) -> None:
    people = [f"V{i}" for i in range(1, 7)]
    guild = {"V1", "V3", "V4"}
    org = [f"{p},Vee {p},,,,team:Crew" + (";community:Guild" * (p in guild)) for p in people]
    before = [
        # arcs V1->V2, V2->V1, V1->V3, V3->V4, V4->V3: four of five answered
        *(
            Event("interaction", s, t, AT)
            for s, t in (("V1", "V2"), ("V2", "V1"), ("V1", "V3"), ("V3", "V4"), ("V4", "V3"))
        ),
        Event("recognition", "V1", "V2", AT),
        Event("recognition", "V6", "V5", AT),  # V6 gives but receives nothing, talks to nobody
        # V1 follows 2 leaders, V4 3; V3 follows V1 twice (one leader); V2 one; V5, V6 none
        Event("follow", "V1", "V2", AT, "team:Crew"),
        Event("follow", "V1", "V3", AT, "community:Guild"),
        Event("follow", "V2", "V1", AT, "team:Crew"),
        Event("follow", "V3", "V1", AT, "team:Crew"),
        Event("follow", "V3", "V1", AT, "community:Guild"),
        Event("follow", "V4", "V1", AT, "team:Crew"),
        Event("follow", "V4", "V2", AT, "team:Crew"),
        Event("follow", "V4", "V3", AT, "community:Guild"),
    ]
    import_planted(tmp_path, org, event_lines(before))
    first = execute_run(create_run(window_days=90, now=NOW).pk)
    expected = viability_by_hand(people, before)
    assert expected == pytest.approx(
        {
            "reciprocity": 4 / 5,
            "connectedness": 5 / 6,
            "leadership_coverage": 2 / 6,
            "recognition_reach": 2 / 6,
        }
    )
    org_before = org_metrics(first)
    assert_dimension(org_before, "viability", expected)
    # ... and from the run's own inputs, as documented
    leaders = dict(
        PersonMetric.objects.filter(run=first, metric="leader_count").values_list(
            "person__external_id", "value"
        )
    )
    assert leaders == {"V1": 2, "V2": 1, "V3": 1, "V4": 3}
    assert subjects(first, "isolation") == {("V6",)}
    assert org_before["viability.reciprocity"] == pytest.approx(org_before["reciprocity"])
    assert org_before["viability.connectedness"] == pytest.approx(1 - 1 / org_before["people"])
    assert org_before["viability.leadership_coverage"] == pytest.approx(
        sum(count >= 2 for count in leaders.values()) / org_before["people"]
    )
    assert org_before["viability.recognition_reach"] == pytest.approx(
        1 - org_before["never_recognized_share"]
    )

    # V3 answers V1, V5 recognizes V6, V2 follows a second leader: every component rises.
    more = [
        Event("interaction", "V3", "V1", AT),
        Event("recognition", "V5", "V6", AT),
        Event("follow", "V2", "V3", AT, "team:Crew"),
    ]
    write_csv(tmp_path, "more.csv", EVENT_HEADER, event_lines(more))
    call_command("import_events", str(tmp_path / "more.csv"), stdout=io.StringIO())
    relay.relay(wait_seconds=30)
    second = execute_run(create_run(window_days=90, now=NOW).pk)
    improved = viability_by_hand(people, before + more)
    assert improved == pytest.approx(
        {
            "reciprocity": 1.0,
            "connectedness": 1.0,
            "leadership_coverage": 3 / 6,
            "recognition_reach": 3 / 6,
        }
    )
    org_after = org_metrics(second)
    assert_dimension(org_after, "viability", improved)
    for name in improved:
        assert org_after[f"viability.{name}"] > org_before[f"viability.{name}"], name
    assert org_after["viability"] > org_before["viability"]


# Agility: teams Alpha and Beta of five, U in no team, community Guild across both teams.
# September: each team talks only inside (a two-way ring). October: one-way rings inside and
# every Ai and Bi talk both ways; U writes to A1 and hears from B1.
AGILITY_ORG = [
    *(
        f"A{i},Alpha {i},,,,team:Alpha" + (";community:Guild" if i == 1 else "")
        for i in range(1, 6)
    ),
    *(f"B{i},Beta {i},,,,team:Beta" + (";community:Guild" if i == 1 else "") for i in range(1, 6)),
    "U,Unattached,,,,",
]
SEPTEMBER = datetime(2026, 10, 1, tzinfo=UTC)  # a 30-day run ending here covers September


def ring(team: str, both_ways: bool) -> list[tuple[str, str]]:
    arcs = [(f"{team}{i}", f"{team}{i % 5 + 1}") for i in range(1, 6)]
    return arcs + [(t, s) for s, t in arcs] if both_ways else arcs


def agility_by_hand(arcs: list[tuple[str, str]]) -> dict[str, float]:
    teams = {name: {f"{name[0]}{i}" for i in range(1, 6)} for name in ("Alpha", "Beta")}
    team_of = {person: name for name, members in teams.items() for person in members}
    ties = {frozenset(arc) for arc in arcs}  # undirected, each pair once
    teamed = [tuple(tie) for tie in ties if tie & team_of.keys()]
    external = sum(1 for s, t in teamed if team_of.get(s) != team_of.get(t))
    ei = (external - (len(teamed) - external)) / len(teamed)
    exploration = {}
    for name, members in teams.items():
        touching = [(s, t) for s, t in arcs if s in members or t in members]
        crossing = [(s, t) for s, t in touching if (s in members) != (t in members)]
        exploration[name] = len(crossing) / len(touching)  # one event per arc here
    graph = nx.Graph()
    graph.add_nodes_from([*team_of, "U"])
    graph.add_edges_from(arcs)
    modularity = nx.community.modularity(graph, [*teams.values(), {"U"}])
    silos = sum(1 for value in exploration.values() if value < 0.1)
    return {
        "boundary_spanning": (ei + 1) / 2,
        "exploration": sum(exploration.values()) / len(exploration),
        "openness": 1 - min(1.0, max(0.0, modularity)),
        "silo_free": 1 - silos / len(teams),
    }


def test_health_agility_of_siloed_and_open_periods(tmp_path: Path) -> None:
    siloed = ring("A", both_ways=True) + ring("B", both_ways=True)
    open_arcs = ring("A", both_ways=False) + ring("B", both_ways=False)
    open_arcs += [(f"A{i}", f"B{i}") for i in range(1, 6)] + [
        (f"B{i}", f"A{i}") for i in range(1, 6)
    ]
    open_arcs += [("U", "A1"), ("B1", "U")]
    events = [f"interaction,{s},{t},,2026-09-10T09:00:00Z,,,,,chat," for s, t in siloed]
    events += [f"interaction,{s},{t},,2026-10-10T09:00:00Z,,,,,chat," for s, t in open_arcs]
    import_planted(tmp_path, AGILITY_ORG, events)
    september = execute_run(create_run(window_days=30, now=SEPTEMBER).pk)
    october = execute_run(create_run(window_days=31, now=NOW).pk)

    closed_parts = agility_by_hand(siloed)
    assert closed_parts == pytest.approx(
        {"boundary_spanning": 0.0, "exploration": 0.0, "openness": 0.5, "silo_free": 0.0}
    )
    open_parts = agility_by_hand(open_arcs)
    assert open_parts["boundary_spanning"] == pytest.approx((1 + (7 - 10) / 17) / 2)
    assert open_parts["exploration"] == pytest.approx(11 / 16)
    assert open_parts["silo_free"] == 1.0
    for run, parts in ((september, closed_parts), (october, open_parts)):
        org = org_metrics(run)
        assert_dimension(org, "agility", parts)
        # ... and from the run's own inputs, as documented (teams only, not the Guild)
        exploration = team_metric(run, "exploration")
        assert set(exploration) == {"Alpha", "Beta"}
        silo_count = Finding.objects.filter(run=run, pattern="silo").count()
        assert org["agility.boundary_spanning"] == pytest.approx((org["ei_index"] + 1) / 2)
        assert org["agility.exploration"] == pytest.approx(sum(exploration.values()) / 2)
        assert org["agility.openness"] == pytest.approx(1 - org["modularity_of_teams"])
        assert org["agility.silo_free"] == pytest.approx(1 - silo_count / 2)
    silos = Finding.objects.filter(run=september, pattern="silo")
    assert {finding.context.name for finding in silos if finding.context} == {"Alpha", "Beta"}
    assert not Finding.objects.filter(run=october, pattern="silo").exists()
    closed, opened = org_metrics(september), org_metrics(october)
    for name in open_parts:
        assert opened[f"agility.{name}"] > closed[f"agility.{name}"], name
    assert opened["agility"] > closed["agility"]


# Well-being: team Crew (W1..W5; W1, W2, W5 also in community Choir) and team Pair (P1, P2).
# September: negative talk along the chain W1-W2-W3-W4, W5 recognizes W1 warmly and W3, P1
# talks to P2. October: everyone talks and is recognized around rings, all with affect 0.5.
WELLBEING_ORG = [
    *(
        f"W{i},Wen {i},,,,team:Crew" + (";community:Choir" if i in (1, 2, 5) else "")
        for i in range(1, 6)
    ),
    "P1,Pia,,,,team:Pair",
    "P2,Pim,,,,team:Pair",
]
TAU_SECONDS = 30 * 86400


def decayed_affect(events: list[Event], end: datetime) -> dict[str, float]:
    """Each person's mean affect over the events they gave, weighted exp(-age/tau)."""
    weighted: dict[str, float] = defaultdict(float)
    weights: dict[str, float] = defaultdict(float)
    for e in events:
        if e.affect is None:
            continue
        weight = math.exp(-(end - datetime.fromisoformat(e.at)).total_seconds() / TAU_SECONDS)
        weighted[e.source] += e.affect * weight
        weights[e.source] += weight
    return {person: weighted[person] / weights[person] for person in weights}


def wellbeing_by_hand(events: list[Event], end: datetime, contagion: int) -> dict[str, float]:
    people = ["W1", "W2", "W3", "W4", "W5", "P1", "P2"]
    teams = [["W1", "W2", "W3", "W4", "W5"], ["P1", "P2"]]
    affect = decayed_affect(events, end)
    engagement = []
    for members in teams:
        inside: dict[str, float] = dict.fromkeys(members, 0.0)
        for e in events:
            if e.kind == "interaction" and e.source in members and e.target in members:
                inside[e.source] += 1
                inside[e.target] += 1
        engagement.append(1 - gini_by_differences(list(inside.values())))
    received = [
        float(sum(e.target == p for e in events if e.kind == "recognition")) for p in people
    ]
    return {
        "affect": (sum(affect.values()) / len(affect) + 1) / 2,
        "engagement": sum(engagement) / len(engagement),
        "recognition_equity": 1 - gini_by_differences(received),
        "contagion_free": 1 - contagion / len(people),
    }


def test_health_wellbeing_of_a_gloomy_and_a_bright_period(tmp_path: Path) -> None:
    gloomy = [
        Event("interaction", "W1", "W2", "2026-09-20T00:00:00+00:00", affect=-0.8),
        Event("interaction", "W2", "W3", "2026-09-25T00:00:00+00:00", affect=-0.8),
        Event("interaction", "W3", "W4", "2026-09-28T00:00:00+00:00", affect=-0.8),
        Event("recognition", "W5", "W1", "2026-09-30T00:00:00+00:00", affect=0.6),
        Event("recognition", "W5", "W3", "2026-09-15T00:00:00+00:00"),
        Event("interaction", "P1", "P2", "2026-09-10T00:00:00+00:00"),
    ]
    bright_pairs = [(f"W{i}", f"W{i % 5 + 1}") for i in range(1, 6)] + [("P1", "P2"), ("P2", "P1")]
    bright = [
        Event("interaction", s, t, "2026-10-15T00:00:00+00:00", affect=0.5) for s, t in bright_pairs
    ]
    bright += [Event("recognition", s, t, "2026-10-16T00:00:00+00:00") for s, t in bright_pairs]
    import_planted(tmp_path, WELLBEING_ORG, event_lines(gloomy + bright))
    september = execute_run(create_run(window_days=30, now=SEPTEMBER).pk)
    october = execute_run(create_run(window_days=31, now=NOW).pk)

    # A person's affect is what they gave: W1 -0.8, W5 the +0.6 recognition.
    assert decayed_affect(gloomy, SEPTEMBER) == pytest.approx(
        {"W1": -0.8, "W2": -0.8, "W3": -0.8, "W5": 0.6}
    )
    # Seven people: a chain of gloomy exchanges is not beyond chance (no finding either run).
    assert subjects(september, "negative_contagion") == subjects(october, "negative_contagion")
    assert subjects(october, "negative_contagion") == set()
    gloomy_parts = wellbeing_by_hand(gloomy, SEPTEMBER, contagion=0)
    bright_parts = wellbeing_by_hand(bright, NOW, contagion=0)
    # Crew's inside events per member 1, 2, 2, 1, 0: Gini 1/3; Pair's 1, 1: Gini 0.
    assert gloomy_parts["engagement"] == pytest.approx((2 / 3 + 1) / 2)
    assert gloomy_parts["recognition_equity"] == pytest.approx(1 - 5 / 7)  # 2 of 7 recognized
    assert bright_parts == pytest.approx(
        {"affect": 0.75, "engagement": 1.0, "recognition_equity": 1.0, "contagion_free": 1.0}
    )
    for run, parts in ((september, gloomy_parts), (october, bright_parts)):
        org = org_metrics(run)
        assert_dimension(org, "wellbeing", parts)
        # ... and from the run's own inputs, as documented (teams only, not the Choir)
        engagement = team_metric(run, "engagement")
        assert set(engagement) == {"Crew", "Pair"}
        in_contagion = {person for group in subjects(run, "negative_contagion") for person in group}
        assert org["wellbeing.affect"] == pytest.approx((org["mean_affect"] + 1) / 2)
        assert org["wellbeing.engagement"] == pytest.approx(sum(engagement.values()) / 2)
        assert org["wellbeing.recognition_equity"] == pytest.approx(1 - org["recognition_gini"])
        assert org["wellbeing.contagion_free"] == pytest.approx(
            1 - len(in_contagion) / org["people"]
        )
    gloom, shine = org_metrics(september), org_metrics(october)
    for name in ("affect", "engagement", "recognition_equity"):
        assert shine[f"wellbeing.{name}"] > gloom[f"wellbeing.{name}"], name
    assert shine["wellbeing"] > gloom["wellbeing"]


def test_exports_withhold_what_the_release_rule_withholds(leadership_org: None) -> None:
    execute_run(create_run(window_days=90, now=NOW).pk)
    out, err = io.StringIO(), io.StringIO()
    call_command("export_metrics", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    # Platform has 3 members, Leadership 1, Insights 1; the Guild's 6 are the org's 8 minus 2:
    # released next to the org figures, they would isolate those 2.
    assert not [line for line in lines if line.startswith("context,")]
    assert "org,org,people,8" in lines
    assert "withheld the metrics of 4 context(s) by the release rule" in err.getvalue()
    for flag in ("--include-withheld", "--include-small-groups"):
        out = io.StringIO()
        call_command("export_metrics", flag, stdout=out)
        assert "context,team:Platform,size,3" in out.getvalue().splitlines()
        assert "context,community:Guild,size,6" in out.getvalue().splitlines()


def test_people_who_opt_out_after_a_run_leave_its_exports(leadership_org: None) -> None:
    execute_run(create_run(window_days=90, now=NOW).pk)
    Person.objects.filter(external_id="E3").update(analytics_opt_out=True)
    metrics_out, findings_out = io.StringIO(), io.StringIO()
    call_command("export_metrics", stdout=metrics_out, stderr=io.StringIO())
    call_command("export_findings", stdout=findings_out)
    assert not [line for line in metrics_out.getvalue().splitlines() if ",E3," in line]
    assert "informal_leader" not in findings_out.getvalue()  # it was about E3
    assert "attention_blindness,warning,E6" in findings_out.getvalue()


def test_deleting_a_person_in_the_admin_erases_their_findings(leadership_org: None) -> None:
    from django.test import Client

    run = execute_run(create_run(window_days=90, now=NOW).pk)
    user = user_with_role(
        None, "hr", email="hr@example.org", password="pw-hr-admin-1", superuser=True
    )
    client = Client()
    client.force_login(user)
    e6 = Person.objects.get(external_id="E6")
    response = client.post(f"/admin/people/person/{e6.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert subjects(run, "attention_blindness") == {("E2",), ("E3",), ("E4",)}
    assert not Finding.objects.filter(run=run, sensitive=True, subjects__isnull=True).exists()


def test_changes_between_two_runs(leadership_org: None, tmp_path: Path) -> None:
    first = execute_run(create_run(window_days=90, now=NOW).pk)
    extra = write_csv(tmp_path, "more.csv", EVENT_HEADER, [follow("E6", "E1", "team:Leadership")])
    call_command("import_events", str(extra), stdout=io.StringIO())
    relay.relay(wait_seconds=30)
    second = execute_run(create_run(window_days=90, now=NOW).pk)
    assert second.finished_at is not None
    assert first.finished_at is not None
    assert first.finished_at < second.finished_at
    out = io.StringIO()
    call_command("export_changes", "--run", str(second.pk), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "scope,subject,metric,before,now,change"
    assert "person,E6,leader_count,1,2,1" in lines
    assert "person,E5,leader_count,2,2,0" in lines


def test_changes_need_an_earlier_run(leadership_org: None) -> None:
    from django.core.management.base import CommandError

    execute_run(create_run(window_days=90, now=NOW).pk)
    with pytest.raises(CommandError, match="no earlier succeeded run"):
        call_command("export_changes", stdout=io.StringIO())
