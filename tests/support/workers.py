"""Real `celery worker` processes for the tests, and waiting until the workers are idle."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from sociograph.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
WORKER_START_TIMEOUT_SECONDS = 90


def database_url_of_tests() -> str:
    """DATABASE_URL of the test database, for worker processes that must use it too."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def wait_for_worker(name: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Celery worker exited with {process.returncode}:\n{log.read_text()}")
        if celery_app.control.ping(destination=[name], timeout=0.5):
            return
    process.kill()
    pytest.fail(f"Celery worker {name} did not answer within {WORKER_START_TIMEOUT_SECONDS} s")


def wait_for_idle_workers(timeout: float = 60) -> None:
    """Until no worker runs, holds or is scheduled to run a task and no queue has messages.

    Tests that share the test database with the session's worker (transactional ones) call this
    so that a late relay task from an earlier test cannot act on their data.
    """
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    inspector = celery_app.control.inspect(timeout=1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = [inspector.active(), inspector.reserved(), inspector.scheduled()]
        busy = any(tasks for reply in replies for tasks in (reply or {}).values())
        queued = sum(
            broker.llen(queue) for queue in ("celery", "graph_sync", "analytics", "webhooks")
        )
        if not busy and not queued:
            return
        time.sleep(0.5)
    pytest.fail("Celery workers did not become idle")


def start_worker(
    name: str, queues: str, concurrency: int, log: Path, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """A `celery worker` subprocess in its own session, output to `log`."""
    command = [sys.executable, "-m", "celery", "-A", "sociograph", "worker", "-Q", queues]
    command += ["--concurrency", str(concurrency), "--hostname", name]
    command += ["--without-gossip", "--without-mingle", "--loglevel", "INFO"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
