"""The graph gateway against the real Neo4j server started by `make test`."""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.connection import Connection

import pytest
from django.core.management import call_command

from sociograph.graph import gateway
from sociograph.graph.cypher import probe
from sociograph.graph.cypher.schema import SCHEMA
from sociograph.graph.schema import apply_schema, existing_schema_names
from sociograph.graph.services import server_info

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("graph")]


def test_the_server_is_neo4j_5_26_community() -> None:
    info = server_info()
    assert info["version"].startswith("5.26.")
    assert info["edition"] == "community"


def test_write_then_read_round_trip() -> None:
    gateway.write(probe.MERGE_PROBE, key="a", text="hello")
    assert gateway.read(probe.READ_PROBE, key="a") == [{"text": "hello"}]


def test_writes_are_idempotent_merges() -> None:
    for _ in range(3):
        gateway.write(probe.MERGE_PROBE, key="same", text="x")
    assert gateway.read(probe.COUNT_PROBES) == [{"probes": 1}]


@pytest.mark.parametrize(
    "hostile",
    [
        "x'}) DETACH DELETE n //",  # hostile input, not a query
        '"}) MATCH (n) DETACH DELETE n RETURN 1 //',  # hostile input, not a query
        "Robert'); DROP TABLE people;--",
        "$key {text: 'owned'}",
    ],
)
def test_parameters_are_data_never_query_text(hostile: str) -> None:
    gateway.write(probe.MERGE_PROBE, key="keep", text="untouched")
    gateway.write(probe.MERGE_PROBE, key=hostile, text=hostile)
    assert gateway.read(probe.READ_PROBE, key=hostile) == [{"text": hostile}]
    assert gateway.read(probe.READ_PROBE, key="keep") == [{"text": "untouched"}]


def test_schema_is_applied_idempotently() -> None:
    apply_schema()
    again = apply_schema()
    assert [outcome.created for outcome in again] == [False] * len(SCHEMA)
    assert {item.name for item in SCHEMA} <= existing_schema_names()


def test_graph_schema_command_reports_each_item(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("graph_schema")
    output = capsys.readouterr().out
    for item in SCHEMA:
        assert f"{item.kind} {item.name}: " in output


def _query_from_child(parent_driver_id: int, reply: Connection) -> None:
    driver = gateway.get_driver()
    version = server_info()["version"]
    reply.send((os.getpid(), id(driver) != parent_driver_id, version))
    gateway.close_driver()


def test_a_forked_process_opens_its_own_driver() -> None:
    parent_driver = gateway.get_driver()
    server_info()  # the parent holds live connections when it forks, as a Celery master may
    receiver, sender = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_query_from_child, args=(id(parent_driver), sender)
    )
    child.start()
    child.join(timeout=60)
    child_pid, has_own_driver, version = receiver.recv()
    assert child.exitcode == 0
    assert child_pid != os.getpid()
    assert has_own_driver
    assert version == server_info()["version"]
    assert gateway.get_driver() is parent_driver
