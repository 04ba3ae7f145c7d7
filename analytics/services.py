"""Mining runs: create, execute step by step (resumable), store results in SQL."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta
from typing import Any

import redis
from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from redis.lock import Lock

from analytics.models import (
    ContextMetric,
    Finding,
    MiningRun,
    OrgMetric,
    PersonMetric,
    RunStatus,
)
from analytics.patterns import (
    communication,
    contagion,
    contexts,
    health,
    leadership,
    recognition,
)
from analytics.patterns.base import Family, FamilyResult, Window
from analytics.release import release_of
from analytics.selectors import active_run
from people.models import Context, Person
from sociograph.ingest.bulk import insert_rows

FAMILIES: tuple[Family, ...] = (
    communication.FAMILY,
    recognition.FAMILY,
    leadership.FAMILY,
    contexts.FAMILY,
    contagion.FAMILY,
    health.FAMILY,  # last: built on the results of the others
)
MINING_LOCK = "sociograph:mining:lock"

logger = logging.getLogger(__name__)


class MiningBusy(Exception):
    """Another run is being mined; runs never interleave."""


DEFAULT_WINDOW_DAYS = 90  # a run mines the events of this many days before its end
MINE_TASK = "analytics.tasks.mine"
START_LOCK_KEY = 0x50C10  # PostgreSQL advisory lock taken while a run is started


class RunAlreadyActive(Exception):
    """A run is queued or running: no other run starts until it finishes."""

    def __init__(self, active: MiningRun) -> None:
        super().__init__(
            f"Mining run {active.pk} is already {active.status}: "
            "wait for it to finish before starting another."
        )
        self.active = active

    def __reduce__(self) -> tuple[type[RunAlreadyActive], tuple[MiningRun]]:
        return type(self), (self.active,)  # Celery pickles a task's exception


def create_run(
    window_days: int = DEFAULT_WINDOW_DAYS, now: datetime | None = None, **params: Any
) -> MiningRun:
    """The run record alone, whatever else is active: interfaces start runs with start_run."""
    end = now or timezone.now()
    return MiningRun.objects.create(
        window_start=end - timedelta(days=window_days),
        window_end=end,
        params={"window_days": window_days, **params},
        steps={family.name: {"status": "pending"} for family in FAMILIES},
    )


def start_run(
    window_days: int = DEFAULT_WINDOW_DAYS,
    *,
    now: datetime | None = None,
    queue: bool = True,
    **params: Any,
) -> MiningRun:
    """Create a run unless one is queued or running (RunAlreadyActive), and have a Celery worker
    mine it once the creating transaction commits. `queue=False`: the caller mines it (the `mine`
    command's --sync, the weekly task's chain)."""
    with transaction.atomic():
        _serialize_starts()
        active = active_run()
        if active is not None:
            raise RunAlreadyActive(active)
        run = create_run(window_days, now, **params)
    if queue:
        transaction.on_commit(lambda: queue_mining(run.pk))
    return run


def _serialize_starts() -> None:
    """Two starts at once must not both find no active run. SQLite's transactions are IMMEDIATE
    (sociograph.settings.base): they are serialized already. PostgreSQL needs a lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [START_LOCK_KEY])


def queue_mining(run_id: int) -> None:
    """Queue analytics.tasks.mine by its name (the task module imports this one)."""
    current_app.send_task(MINE_TASK, (run_id,))


class MiningLease:
    """Renews the mining lock every third of its lease while a run executes.

    The lease is short (`SOCIOGRAPH_MINING_LEASE_SECONDS`) so that the lock of a worker that died
    mid-run expires soon and the redelivered task can resume the run. A process starved for a
    whole lease (a long computation holding the GIL) takes the lock back if nobody else did;
    otherwise `lost` is set and the run stops before its next step, to be resumed later.
    """

    def __init__(self, lock: Lock, seconds: float) -> None:
        self.lock, self.seconds, self.lost = lock, seconds, False
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="mining-lease", daemon=True)

    def _renew(self) -> None:
        while not self._stopping.wait(self.seconds / 3):
            try:
                self.lock.reacquire()
            except redis.exceptions.LockNotOwnedError:
                if not self.lock.acquire(blocking=False):
                    self.lost = True
                    return
            except redis.exceptions.RedisError as error:  # Redis away for a moment: next beat
                logger.warning("could not renew the mining lock: %s", error)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)


@contextmanager
def mining_lock(wait_seconds: float | None) -> Iterator[MiningLease]:
    seconds = settings.SOCIOGRAPH_MINING_LEASE_SECONDS
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    lock = client.lock(MINING_LOCK, timeout=seconds, thread_local=False)
    if not lock.acquire(blocking=wait_seconds is not None, blocking_timeout=wait_seconds):
        raise MiningBusy("another mining run is in progress")
    lease = MiningLease(lock, seconds)
    lease.start()
    try:
        yield lease
    finally:
        lease.stop()
        with suppress(redis.exceptions.LockError):  # expired: nothing left to release
            lock.release()


def _save_step(run: MiningRun, name: str, **state: Any) -> None:
    run.steps[name] = {**run.steps.get(name, {}), **state}
    run.save(update_fields=["steps"])


def _people_ids(uuids: set[str]) -> dict[str, int]:
    rows = Person.objects.filter(uuid__in=uuids).values_list("uuid", "pk")
    return {str(uuid): pk for uuid, pk in rows}


def _context_ids(uuids: set[str]) -> dict[str, int]:
    rows = Context.objects.filter(uuid__in=uuids).values_list("uuid", "pk")
    return {str(uuid): pk for uuid, pk in rows}


@transaction.atomic
def store_results(run: MiningRun, family: Family, result: FamilyResult) -> None:
    """Replace this family's results for the run, so a re-executed step never duplicates."""
    PersonMetric.objects.filter(run=run, metric__in=family.person_metrics).delete()
    ContextMetric.objects.filter(run=run, metric__in=family.context_metrics).delete()
    OrgMetric.objects.filter(run=run, metric__in=family.org_metrics).delete()
    Finding.objects.filter(run=run, pattern__in=family.patterns).delete()
    people = _people_ids(
        {uuid for uuid, _ in result.person}
        | {subject for finding in result.findings for subject in finding.subjects}
    )
    contexts = _context_ids(
        {uuid for uuid, _ in result.context}
        | {finding.context for finding in result.findings if finding.context}
    )
    insert_rows(
        PersonMetric,
        ("run", "person", "metric", "value"),
        (
            (run.pk, people[uuid], metric, value)
            for (uuid, metric), value in result.person.items()
            if uuid in people
        ),
    )
    ContextMetric.objects.bulk_create(
        ContextMetric(run=run, context_id=contexts[uuid], metric=metric, value=value)
        for (uuid, metric), value in result.context.items()
        if uuid in contexts
    )
    OrgMetric.objects.bulk_create(
        OrgMetric(run=run, metric=metric, value=value) for metric, value in result.org.items()
    )
    _store_findings(run, result, people, contexts)


def _store_findings(
    run: MiningRun, result: FamilyResult, people: dict[str, int], contexts: dict[str, int]
) -> None:
    # Someone erased while the run read the graph: nothing about them stays.
    kept = [found for found in result.findings if all(u in people for u in found.subjects)]
    findings = Finding.objects.bulk_create(
        Finding(
            run=run,
            pattern=found.pattern,
            severity=found.severity,
            context_id=contexts.get(found.context) if found.context else None,
            detail=found.detail,
            sensitive=found.sensitive,
        )
        for found in kept
    )
    subject = Finding.subjects.through
    subject.objects.bulk_create(
        subject(finding_id=finding.pk, person_id=people[uuid])
        for finding, found in zip(findings, kept, strict=True)
        for uuid in found.subjects
    )


def _run_step(run: MiningRun, family: Family, window: Window) -> None:
    started = time.monotonic()
    _save_step(run, family.name, status="running", started_at=timezone.now().isoformat())
    try:
        result = family.compute(window)
        store_results(run, family, result)
    except Exception as error:
        _save_step(run, family.name, status="failed", error=f"{type(error).__name__}: {error}")
        raise
    run.graph_size = {**run.graph_size, **result.graph_size}
    run.save(update_fields=["graph_size"])
    _save_step(
        run,
        family.name,
        status="succeeded",
        finished_at=timezone.now().isoformat(),
        seconds=round(time.monotonic() - started, 3),
        error="",
    )


def execute_run(run_id: int, wait_seconds: float | None = 600) -> MiningRun:
    """Mine every family not yet done for this run; steps already succeeded are skipped."""
    with mining_lock(wait_seconds) as lease:
        run = MiningRun.objects.get(pk=run_id)
        if run.status == RunStatus.SUCCEEDED:
            return run
        run.status, run.started_at, run.error = RunStatus.RUNNING, timezone.now(), ""
        run.save(update_fields=["status", "started_at", "error"])
        window = Window(
            int(run.window_start.timestamp()), int(run.window_end.timestamp()), run.params, run.pk
        )
        try:
            for family in FAMILIES:
                if run.steps.get(family.name, {}).get("status") != "succeeded":
                    if lease.lost:
                        raise MiningBusy("the mining lock was lost; the run resumes later")
                    _run_step(run, family, window)
        except MiningBusy:
            raise  # not a failure of the run: the task retries and resumes it
        except Exception as error:
            run.status, run.error = RunStatus.FAILED, f"{type(error).__name__}: {error}"
            run.save(update_fields=["status", "error"])
            raise
        run.status, run.finished_at = RunStatus.SUCCEEDED, timezone.now()
        run.save(update_fields=["status", "finished_at"])
        release_of(run)  # decided once, now, so that reads never compute it
        return run


def progress(run: MiningRun) -> float:
    done = sum(1 for step in run.steps.values() if step.get("status") == "succeeded")
    return done / len(run.steps) if run.steps else 0.0


def forget_orphan_findings() -> int:
    """Findings about individuals whose every subject was erased: remove them."""
    deleted, _ = Finding.objects.filter(sensitive=True, subjects__isnull=True).delete()
    return deleted
