"""Nothing is lost or duplicated when Neo4j or a relaying worker dies (real processes, real
servers). These tests run on a Neo4j instance of their own, which they stop and start."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from pytest_django.fixtures import Settings

from recognition.importers import import_events
from recognition.models import Interaction
from sociograph.celery import app as celery_app
from sociograph.graph import gateway, reconcile, relay
from sociograph.graph.cypher import probe
from sociograph.graph.models import OutboxEntry
from sociograph.graph.schema import apply_schema
from sociograph.graph.services import wipe_graph
from sociograph.graph.tasks import relay_outbox
from sociograph.ingest.formats import EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS
from sociograph.ingest.importing import SourceRow, read_csv_file
from tests.support.workers import ROOT, database_url_of_tests, start_worker, wait_for_idle_workers

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHAOS_PORT = 7690
CHAOS_ENV = {"NEO4J_INSTANCE": "chaos", "NEO4J_BOLT_PORT": str(CHAOS_PORT)}
CHAOS_BROKER = "redis://127.0.0.1:6379/12"
EVENTS_WANTED = 50_000


class ChaosNeo4j:
    def _run(self, action: str) -> None:
        subprocess.run(
            [str(ROOT / "platform" / "bin" / "neo4j"), action],
            env={**os.environ, **CHAOS_ENV},
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self._run("start")

    def stop(self) -> None:
        self._run("stop")


@pytest.fixture(scope="module")
def chaos_neo4j() -> Iterator[ChaosNeo4j]:
    server = ChaosNeo4j()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def on_chaos(chaos_neo4j: ChaosNeo4j, settings: Settings) -> Iterator[ChaosNeo4j]:
    """This process's graph gateway points at the chaos instance, emptied; nudges are off."""
    wait_for_idle_workers()
    gateway.close_driver()
    settings.NEO4J = {**settings.NEO4J, "URI": f"bolt://127.0.0.1:{CHAOS_PORT}"}
    settings.SOCIOGRAPH_GRAPH_NUDGE = False
    wipe_graph()
    apply_schema()
    yield chaos_neo4j
    gateway.close_driver()


@pytest.fixture(scope="module")
def org_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("org")
    call_command(
        "generate_org",
        "--people=500",
        "--events-per-person=100",
        "--seed=11",
        "--end=2026-11-01T00:00:00+00:00",
        f"--out={folder}",
        stdout=io.StringIO(),
    )
    return folder


def event_rows(folder: Path) -> Iterator[SourceRow]:
    return read_csv_file(folder / "events.csv", EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS)


def import_org(folder: Path) -> None:
    call_command("import_org", str(folder / "org.csv"), stdout=io.StringIO())


def assert_projection_matches_sql() -> None:
    assert gateway.read(probe.DUPLICATED_RELATIONSHIP_UUIDS) == [{"duplicated": 0}]
    drifts = reconcile.compare_all()
    assert [drift.describe() for drift in drifts if drift.drifted] == []


class RelayLoop(threading.Thread):
    """Relays continuously, as workers do, remembering the failures it ran into."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stopping = threading.Event()
        self.failures: list[str] = []

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    relay.relay(wait_seconds=1)
                except Exception as error:  # noqa: BLE001 - the loop outlives Neo4j being down
                    self.failures.append(type(error).__name__)
                time.sleep(0.2)
        finally:
            connection.close()


def stop_midway(rows: Iterator[SourceRow], after: int, action: Any) -> Iterator[SourceRow]:
    for count, row in enumerate(rows, start=1):
        if count == after:
            action()
        yield row


def test_neo4j_down_in_the_middle_of_an_import_loses_nothing(
    on_chaos: ChaosNeo4j, org_files: Path
) -> None:
    import_org(org_files)
    loop = RelayLoop()
    loop.start()
    report = import_events(stop_midway(event_rows(org_files), 20_000, on_chaos.stop))
    assert report.rejected_count == 0
    assert report.accepted >= EVENTS_WANTED * 0.95
    time.sleep(2)  # the loop keeps failing against the stopped server
    assert OutboxEntry.objects.exists()
    on_chaos.start()
    loop.stopping.set()
    loop.join(timeout=120)
    assert "ServiceUnavailable" in loop.failures or "SessionExpired" in loop.failures
    relay.relay(wait_seconds=60)
    assert not OutboxEntry.objects.exists()
    assert_projection_matches_sql()


def _start_worker(log: Path) -> subprocess.Popen[bytes]:
    env = {
        "DATABASE_URL": database_url_of_tests(),
        "NEO4J_URI": f"bolt://127.0.0.1:{CHAOS_PORT}",
        "REDIS_URL": CHAOS_BROKER,
    }
    return start_worker(f"chaos-{os.getpid()}@localhost", "graph_sync", 1, log, env)


def _send_relay_task_to(broker: str) -> None:
    with celery_app.connection_for_write(broker) as conn:
        relay_outbox.apply_async(connection=conn)


def _wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_killing_the_worker_mid_batch_neither_duplicates_nor_loses(
    on_chaos: ChaosNeo4j, org_files: Path
) -> None:
    import_org(org_files)
    import_events(event_rows(org_files), batch_size=5_000)  # enough entries to kill one midway
    relay.relay(wait_seconds=30, max_entries=3)  # people, contexts, memberships: nodes exist
    entries = OutboxEntry.objects.count()
    assert entries >= 8
    log = Path(settings.VAR_DIR) / "log" / "pytest-chaos-worker.log"
    worker = _start_worker(log)
    try:
        _send_relay_task_to(CHAOS_BROKER)
        _wait_until(lambda: OutboxEntry.objects.count() <= entries - 2, 120, "relaying to start")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    remaining = OutboxEntry.objects.count()
    assert 0 < remaining < entries, "the worker was not killed in the middle of the outbox"
    relay.relay(wait_seconds=60)  # waits out the dead relay's lease, then finishes its work
    assert not OutboxEntry.objects.exists()
    assert Interaction.objects.count() > EVENTS_WANTED * 0.8
    assert_projection_matches_sql()
