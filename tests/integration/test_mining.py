"""Mining runs against the real Neo4j: metrics equal an independent networkx computation on the
real InVS13 data; leadership findings fire on planted instances and not on near misses."""

from __future__ import annotations

import io
import math
from collections import defaultdict
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import networkx as nx
import pytest
from django.core.management import call_command

from analytics.models import Finding, MiningRun, PersonMetric, RunStatus
from analytics.services import create_run, execute_run
from people.models import Context, Person
from recognition.models import Interaction
from sociograph.graph import relay
from tests.conftest import EVENT_HEADER, ORG_HEADER, wait_for_idle_workers, write_csv

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
        ordered = sorted(moments)
        gaps = [b - a for a, b in pairwise(ordered)]
        if len(gaps) >= 2:
            mu = sum(gaps) / len(gaps)
            sigma = math.sqrt(sum((g - mu) ** 2 for g in gaps) / len(gaps))
            assert bursts[person] == pytest.approx((sigma - mu) / (sigma + mu))
    assert run.graph_size["people"] == 92
    assert run.graph_size["arcs"] == graph.number_of_edges() == 755


def test_a_window_that_misses_the_data_gives_no_interaction_metrics(invs13: None) -> None:
    run = execute_run(create_run(window_days=7, now=START).pk)
    assert metrics(run, "out_degree") == {}
    assert metrics(run, "betweenness") == dict.fromkeys(metrics(run, "betweenness"), 0.0)


# Leadership: E1 CEO; E2 manages E3, E4; E5 reports to E1; E6, E7, E8 in community Guild.
LEADERSHIP_ORG = [
    "E1,Ada,,CEO,,team:Leadership",
    "E2,Bea,,Manager,E1,team:Platform",
    "E3,Cai,,Engineer,E2,team:Platform;community:Guild",
    "E4,Dee,,Engineer,E2,team:Platform;community:Guild",
    "E5,Eli,,Analyst,E1,team:Insights;community:Guild",
    "E6,Fay,,Engineer,E5,community:Guild",
    "E7,Gus,,Engineer,E5,community:Guild",
    "E8,Hal,,Engineer,E5,community:Guild",
]
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
        leaving = [(s, t) for s, t in graph.edges() if s in members and t not in members]
        assert context_metrics[team, "size"] == len(members)
        assert context_metrics[team, "energy"] == pytest.approx(
            sum(e for *_, e in inside) / len(members) / weeks
        )
        crossing = sum(e for s, t, e in touching if (s in members) != (t in members))
        assert context_metrics[team, "exploration"] == pytest.approx(
            crossing / sum(e for *_, e in touching)
        )
        assert context_metrics[team, "ei_index"] == pytest.approx(
            (len(leaving) - len(inside)) / (len(leaving) + len(inside))
        )
    org = dict(run.org_metrics.values_list("metric", "value"))
    undirected = nx.Graph()
    undirected.add_nodes_from(people)
    undirected.add_edges_from(graph.to_undirected().edges())
    communities = list(teams.values())
    assert org["modularity_of_teams"] == pytest.approx(
        nx.community.modularity(undirected, communities), abs=1e-9
    )
    external = sum(1 for s, t in graph.edges() if team_of[s] != team_of[t])
    assert org["ei_index"] == pytest.approx(
        (external - (graph.number_of_edges() - external)) / graph.number_of_edges()
    )
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
    assert metric["Vault", "leadership_centralization"] == 0.0
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


def test_emotional_contagion_and_its_time_decay(tmp_path: Path) -> None:
    org = [f"{g}{i},{g} {i},,,,team:T{g}" for g in "XYZ" for i in range(1, 5)]
    org += ["P,Pat,,,,team:Pair", "Q,Quinn,,,,team:Pair"]
    events = [f"interaction,X{i},X{i + 1},,{AT},-0.9,,,,chat," for i in (1, 2, 3)]  # a chain of 4
    events += [f"interaction,Y1,Y2,,{AT},-0.9,,,,chat,"]  # only two: a near miss
    events += [f"interaction,Z{i},Z{i + 1},,{AT},0.8,,,,chat," for i in (1, 2)]
    events += [  # P -> Q, +1 now and -1 thirty days before the window's end
        "interaction,P,Q,,2026-10-31T23:59:59Z,1,,,,chat,",
        "interaction,P,Q,,2026-10-01T23:59:59Z,-1,,,,chat,",
    ]
    import_planted(tmp_path, org, events)
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    exposure = dict(
        PersonMetric.objects.filter(run=run, metric="affect_exposure").values_list(
            "person__external_id", "value"
        )
    )
    assert exposure["X1"] == pytest.approx(-0.9 * (1 + 0.64 + 0.37))
    assert exposure["X2"] == pytest.approx(-0.9 * (1 + 0.64))
    decay = math.exp(-1)  # the older event is 30 days (one tau) older
    assert exposure["Q"] == pytest.approx((1 * 1 + (-1) * decay) / (1 + decay), abs=1e-4)
    assert subjects(run, "negative_contagion") == {("X1", "X2", "X3", "X4")}


def test_recognition_ring_through_a_run(tmp_path: Path) -> None:
    org = [f"R{i},Ring {i},,,,team:Ring" for i in range(1, 5)] + ["W,Wide,,,,team:Ring"]
    events = [
        f"recognition,R{a},R{b},,2026-10-{day:02d}T09:00:00Z,0.5,,,,,"
        for a in range(1, 4)
        for b in range(1, 4)
        if a != b
        for day in (1, 2)
    ]  # R1-R3: 4 each, all inside
    events += [f"recognition,R4,R1,,2026-10-{day:02d}T09:00:00Z,0.5,,,,," for day in (1, 2, 3)]
    events += [f"recognition,W,R{i},,2026-10-05T09:00:00Z,0.5,,,,," for i in range(1, 5)]
    import_planted(tmp_path, org, events)
    run = execute_run(create_run(window_days=90, now=NOW).pk)
    # R4 gives only to R1 but nobody in the group recognizes R4; W gives widely, unrecognized.
    assert subjects(run, "recognition_ring") == {("R1", "R2", "R3")}


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


def test_exports_withhold_aggregates_of_groups_under_five(leadership_org: None) -> None:
    execute_run(create_run(window_days=90, now=NOW).pk)
    out, err = io.StringIO(), io.StringIO()
    call_command("export_metrics", stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    contexts = {line.split(",")[1] for line in lines if line.startswith("context,")}
    assert contexts == {"community:Guild"}  # 6 members; Platform has 3, Leadership 1, Insights 1
    assert "withheld the metrics of 3 context(s) with fewer than 5 members" in err.getvalue()
    out = io.StringIO()
    call_command("export_metrics", "--include-small-groups", stdout=out)
    assert "context,team:Platform,size,3" in out.getvalue().splitlines()


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
    from django.contrib.auth import get_user_model
    from django.test import Client

    run = execute_run(create_run(window_days=90, now=NOW).pk)
    user = get_user_model().objects.create_superuser("hr", "hr@example.org", "pw-hr-admin-1")
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
