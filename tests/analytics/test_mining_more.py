"""A mining run survives the death of the worker executing it (real `celery worker` processes,
the real Redis broker, Neo4j and SQL database). Redelivered, the task resumes the run at the
unfinished step: the steps done before the kill are not recomputed, and the run ends with exactly
the results of a clean run on the same data. That needs the dead worker's mining lock to expire
soon: a live run renews a short lease (SOCIOGRAPH_MINING_LEASE_SECONDS), a dead one cannot."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from analytics.models import ContextMetric, Finding, MiningRun, OrgMetric, PersonMetric, RunStatus
from analytics.services import (
    FAMILIES,
    MINING_LOCK,
    MiningBusy,
    create_run,
    execute_run,
    mining_lock,
)
from analytics.tasks import mine
from sociograph.celery import app as celery_app
from sociograph.graph import relay
from tests.support.workers import (
    database_url_of_tests,
    start_worker,
    wait_for_idle_workers,
    wait_for_worker,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("graph"),
]

NOW = datetime(2026, 11, 1, tzinfo=UTC)
# Only the workers of these tests consume this queue (the session's worker consumes `analytics`).
QUEUE = "analytics-crash-test"
RESUME_TIMEOUT_SECONDS = 180


@pytest.fixture(scope="module")
def org_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 people, about 12,000 events: a run of several steps that each take a moment."""
    folder = tmp_path_factory.mktemp("crash-org")
    call_command(
        "generate_org",
        "--people=300",
        "--events-per-person=40",
        "--seed=3",
        f"--end={NOW.isoformat()}",
        f"--out={folder}",
        stdout=io.StringIO(),
    )
    return folder


@pytest.fixture
def imported_org(org_files: Path, settings: Settings) -> None:
    wait_for_idle_workers()
    settings.SOCIOGRAPH_GRAPH_NUDGE = False  # relayed here, not by the session's worker
    call_command("import_org", str(org_files / "org.csv"), stdout=io.StringIO())
    call_command(
        "import_events", str(org_files / "events.csv"), stdout=io.StringIO(), stderr=io.StringIO()
    )
    relay.relay(wait_seconds=60)


class Worker:
    """One `celery worker` (prefork, one child) consuming QUEUE, in its own process group."""

    def __init__(self, label: str) -> None:
        self.name = f"{label}-{os.getpid()}@localhost"
        log = Path(settings.VAR_DIR) / "log" / f"pytest-{label}.log"
        env = {"DATABASE_URL": database_url_of_tests()}
        self.process = start_worker(self.name, QUEUE, 1, log, env)
        wait_for_worker(self.name, self.process, log)

    def pool_pids(self) -> list[int]:
        stats = celery_app.control.inspect(destination=[self.name], timeout=5).stats() or {}
        return [int(pid) for pid in stats[self.name]["pool"]["processes"]]

    def kill(self) -> None:
        """SIGKILL the worker and its children, as a crash or an OOM kill of the host would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def purge_queue() -> None:
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_purge(QUEUE)


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """The workers a test starts, stopped after it; nothing of its tasks stays queued."""
    purge_queue()
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()
    purge_queue()  # retries a stopped worker held in memory went back to the queue


def wait_until(condition: Callable[[], bool], timeout: float, what: str, pause: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(pause)


def succeeded_steps(run: MiningRun) -> dict[str, dict[str, Any]]:
    return {name: step for name, step in run.steps.items() if step.get("status") == "succeeded"}


def kill_after_first_step(run_id: int, kill: Callable[[], None]) -> MiningRun:
    """Poll the run until a step has succeeded, then kill at once; the run as the kill left it."""

    def a_step_done() -> bool:
        steps = MiningRun.objects.values_list("steps", flat=True).get(pk=run_id)
        return any(step.get("status") == "succeeded" for step in steps.values())

    wait_until(a_step_done, 120, "the first step of the run", pause=0.01)
    kill()
    run = MiningRun.objects.get(pk=run_id)
    done = succeeded_steps(run)
    assert run.status == RunStatus.RUNNING
    assert 0 < len(done) < len(FAMILIES), f"not killed in the middle of the run: {run.steps}"
    return run


def redeliver_unacknowledged(queue: str) -> int:
    """What the Redis transport does once a message's visibility timeout has passed (one hour by
    default): put the messages a dead worker took but never acknowledged back on their queue."""
    with celery_app.connection_for_write() as connection:
        channel: Any = connection.default_channel
        client = channel.client
        restored = 0
        for tag, payload in client.hgetall(channel.unacked_key).items():
            _message, _exchange, routing_key = json.loads(payload)
            if routing_key == queue:
                channel.qos.restore_by_tag(tag, client)
                restored += 1
        return restored


def results(run: MiningRun) -> dict[str, Any]:
    """Every result of a run, as multisets (duplicates would show) with their values."""
    person = Counter(
        (person, metric, round(value, 9))
        for person, metric, value in PersonMetric.objects.filter(run=run).values_list(
            "person_id", "metric", "value"
        )
    )
    context = Counter(
        (context, metric, round(value, 9))
        for context, metric, value in ContextMetric.objects.filter(run=run).values_list(
            "context_id", "metric", "value"
        )
    )
    org = Counter(
        (metric, round(value, 9))
        for metric, value in OrgMetric.objects.filter(run=run).values_list("metric", "value")
    )
    findings = Counter(
        (
            finding.pattern,
            finding.severity,
            finding.context_id,
            tuple(sorted(finding.subjects.values_list("pk", flat=True))),
        )
        for finding in Finding.objects.filter(run=run).prefetch_related("subjects")
    )
    return {"person": person, "context": context, "org": org, "findings": findings}


def assert_resumed_like_a_clean_run(killed: MiningRun, killed_at: datetime) -> None:
    run = MiningRun.objects.get(pk=killed.pk)
    assert run.status == RunStatus.SUCCEEDED, run.error
    done_before = succeeded_steps(killed)
    # The steps done before the kill were skipped: same start, end and duration stamps.
    assert {name: run.steps[name] for name in done_before} == done_before
    # The others (the interrupted one included) ran again, after the kill.
    for name, step in run.steps.items():
        assert step["status"] == "succeeded"
        if name not in done_before:
            assert datetime.fromisoformat(step["started_at"]) > killed_at, name
    clean = execute_run(create_run(window_days=90, now=NOW).pk)
    resumed, expected = results(run), results(clean)
    assert expected["person"]  # there is something to compare
    assert expected["findings"]
    for kind in ("person", "context", "org", "findings"):
        assert sum(resumed[kind].values()) == sum(expected[kind].values()), kind
        assert resumed[kind] == expected[kind], kind
    assert PersonMetric.objects.filter(run=run).count() == (
        PersonMetric.objects.filter(run=clean).count()
    )
    assert Finding.objects.filter(run=run).count() == Finding.objects.filter(run=clean).count()


def lock_ttl() -> int:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    return int(client.ttl(MINING_LOCK))


def test_killing_the_worker_mid_run_then_resuming_on_a_fresh_worker(
    imported_org: None, workers: list[Worker]
) -> None:
    first = Worker("mining-crash-first")
    workers.append(first)
    run = create_run(window_days=90, now=NOW)
    mine.apply_async(args=[run.pk], queue=QUEUE)
    killed = kill_after_first_step(run.pk, first.kill)
    killed_at = timezone.now()
    # The dead worker's lock is not held for long: its lease is no longer renewed.
    assert lock_ttl() <= settings.SOCIOGRAPH_MINING_LEASE_SECONDS
    assert redeliver_unacknowledged(QUEUE) == 1  # the dead worker's task, never acknowledged
    workers.append(Worker("mining-crash-fresh"))

    def finished() -> bool:
        return MiningRun.objects.get(pk=run.pk).status in {RunStatus.SUCCEEDED, RunStatus.FAILED}

    wait_until(finished, RESUME_TIMEOUT_SECONDS, "the resumed run to finish", pause=0.5)
    assert_resumed_like_a_clean_run(killed, killed_at)


def test_a_killed_pool_child_is_replaced_and_its_run_resumed(
    imported_org: None, workers: list[Worker]
) -> None:
    worker = Worker("mining-crash-child")
    workers.append(worker)
    [child] = worker.pool_pids()
    run = create_run(window_days=90, now=NOW)
    mine.apply_async(args=[run.pk], queue=QUEUE)
    # The OOM killer's usual victim: the child mining, not the worker's main process, which
    # requeues the lost task at once (acks_late and reject_on_worker_lost).
    killed = kill_after_first_step(run.pk, lambda: os.kill(child, signal.SIGKILL))
    killed_at = timezone.now()

    def finished() -> bool:
        return MiningRun.objects.get(pk=run.pk).status in {RunStatus.SUCCEEDED, RunStatus.FAILED}

    wait_until(finished, RESUME_TIMEOUT_SECONDS, "the resumed run to finish", pause=0.5)
    assert worker.process.poll() is None  # the same worker resumed it, in a new child
    assert child not in worker.pool_pids()
    assert_resumed_like_a_clean_run(killed, killed_at)


def test_a_live_run_renews_its_lock_and_notices_losing_it() -> None:
    lease_seconds = settings.SOCIOGRAPH_MINING_LEASE_SECONDS
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    try:
        with mining_lock(wait_seconds=0) as lease:
            time.sleep(lease_seconds * 1.5)  # longer than the lease: it was renewed meanwhile
            assert client.ttl(MINING_LOCK) > 0
            with pytest.raises(MiningBusy), mining_lock(wait_seconds=None):
                pass
            assert not lease.lost
            client.set(MINING_LOCK, b"another run", ex=60)  # as if it had expired and been taken
            wait_until(lambda: lease.lost, lease_seconds, "the lease to notice", pause=0.1)
        assert client.get(MINING_LOCK) == b"another run"  # the loser did not release it
    finally:
        client.delete(MINING_LOCK)
