"""Shared fixtures. Integration fixtures talk to the real services that `make test` starts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection

from sociograph.celery import app as celery_app
from sociograph.graph import gateway
from sociograph.graph.services import wipe_graph

ROOT = Path(__file__).resolve().parent.parent
WORKER_START_TIMEOUT_SECONDS = 90


@pytest.fixture(autouse=True)
def fresh_login_throttle() -> None:
    """Failed-login counts and locks live in Redis and would carry over to the next test.

    Unit tests run without Redis: with no Redis there are no counters to clear (and logins are
    not throttled)."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
    try:
        for key in client.scan_iter(match="sociograph:login:*"):
            client.delete(key)
    except redis.ConnectionError:
        return


@pytest.fixture
def graph() -> Iterator[None]:
    """An empty Neo4j database for the test (the test instance only: see the Makefile)."""
    wipe_graph()
    yield
    wipe_graph()


@pytest.fixture
def fresh_driver() -> Iterator[None]:
    """Drop the process's driver around a test that changes the Neo4j settings."""
    gateway.close_driver()
    yield
    gateway.close_driver()


def database_url_of_tests() -> str:
    """DATABASE_URL of the test database, for worker processes that must use it too."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _wait_for_worker(name: str, process: subprocess.Popen[bytes], log: Path) -> None:
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


@pytest.fixture(scope="session")
def celery_worker(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """A real `celery worker` process (prefork, 2 children) on the test database and broker."""
    with django_db_blocker.unblock():
        database_url = database_url_of_tests()
    name = f"pytest-{os.getpid()}@localhost"
    log = Path(settings.VAR_DIR) / "log" / "pytest-worker.log"
    process = start_worker(
        name, "celery,graph_sync,analytics,webhooks", 2, log, {"DATABASE_URL": database_url}
    )
    _wait_for_worker(name, process, log)
    yield name
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


ORG_HEADER = "external_id,name,email,title,manager_external_id,contexts"
EVENT_HEADER = "kind,source,target,context,at,affect,weight,message,event_id,channel,values"


def write_csv(directory: Path, name: str, header: str, lines: list[str]) -> Path:
    path = directory / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def small_org(tmp_path: Path) -> Path:
    """Five people, a CEO and two teams; the CEO is listed last on purpose."""
    return write_csv(
        tmp_path,
        "org.csv",
        ORG_HEADER,
        [
            "E2,Bea Lind,bea@example.org,Manager,E1,team:Platform;community:Python Guild",
            "E3,Cai Moor,cai@example.org,Engineer,E2,team:Platform;project:Atlas",
            "E4,Dee Nox,,Engineer,E2,team:Platform",
            "E5,Eli Park,eli@example.org,Analyst,E1,team:Insights;project:Atlas",
            "E1,Ada Kerr,ada@example.org,Chief Executive Officer,,team:Leadership",
        ],
    )
