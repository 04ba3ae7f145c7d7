"""The one owner of the Neo4j driver in a process.

The driver is created lazily on first use and remembered with the process id that created it:
a forked child (Celery prefork, gunicorn) never reuses its parent's driver or sockets, it opens
its own on first use. Reads and writes go through managed transactions, which the driver retries
on transient errors, so the work passed to them must be idempotent.
"""

from __future__ import annotations

import os
import threading
from typing import Any, LiteralString

import neo4j
from django.conf import settings

Row = dict[str, Any]

_lock = threading.Lock()
_driver: neo4j.Driver | None = None
_driver_pid: int | None = None


def get_driver() -> neo4j.Driver:
    global _driver, _driver_pid
    pid = os.getpid()
    if _driver is not None and _driver_pid == pid:
        return _driver
    with _lock:
        if _driver is None or _driver_pid != pid:
            _driver = _new_driver()
            _driver_pid = pid
    return _driver


def _new_driver() -> neo4j.Driver:
    config = settings.NEO4J
    return neo4j.GraphDatabase.driver(
        config["URI"],
        auth=(config["USER"], config["PASSWORD"]),
        connection_timeout=5.0,
        # The driver retries a failed transaction (Neo4j down, a leader switch) for this long,
        # sleeping up to as long again before its last try: kept well inside the relay's lease,
        # so an outage surfaces as ServiceUnavailable (retried by the task) instead of the lease
        # running out under a relay that is still waiting.
        max_transaction_retry_time=settings.SOCIOGRAPH_RELAY_LEASE_SECONDS / 3,
        # Schema-less reads legitimately name properties a fresh graph does not have yet.
        notifications_min_severity="OFF",
    )


def discard_driver_after_fork() -> None:
    """Forget an inherited driver without closing it: its sockets belong to the parent."""
    global _driver, _driver_pid
    _driver = None
    _driver_pid = None


def close_driver() -> None:
    global _driver, _driver_pid
    with _lock:
        if _driver is not None and _driver_pid == os.getpid():
            _driver.close()
        _driver = None
        _driver_pid = None


def _session(database: str | None = None) -> neo4j.Session:
    return get_driver().session(database=database or settings.NEO4J["DATABASE"])


def _collect(tx: neo4j.ManagedTransaction, query: LiteralString, params: Row) -> list[Row]:
    return [record.data() for record in tx.run(query, params)]


def read(query: LiteralString, **params: Any) -> list[Row]:
    """Run a read query in a managed (retried) transaction and return its rows as dicts."""
    with _session() as session:
        return session.execute_read(_collect, query, params)


def write(query: LiteralString, **params: Any) -> list[Row]:
    """Run an idempotent write query in a managed (retried) transaction."""
    with _session() as session:
        return session.execute_write(_collect, query, params)


def run_once(query: LiteralString, database: str | None = None, **params: Any) -> list[Row]:
    """Run a query once in an auto-commit transaction: no retries (health checks, schema DDL)."""
    with _session(database) as session:
        return [record.data() for record in session.run(query, params)]
