"""Shared fixtures. Integration fixtures talk to the real services that `make test` starts.

Fixtures only: the helpers they use live in tests/support/."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings

from sociograph.graph import gateway
from sociograph.graph.services import wipe_graph
from tests.support.csv_files import ORG_HEADER, write_csv
from tests.support.workers import database_url_of_tests, start_worker, wait_for_worker


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
    wait_for_worker(name, process, log)
    yield name
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


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
