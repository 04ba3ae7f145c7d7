"""Waits until Neo4j answers a Bolt query; sets the initial password on a fresh store.

Run by platform/bin/neo4j with the project's virtualenv. Exit 0 when ready, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import time

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable, SessionExpired

FACTORY_PASSWORD = "neo4j"  # noqa: S105 - what every fresh Neo4j store accepts once


def process_alive(pidfile: str) -> bool:
    try:
        with open(pidfile) as handle:
            os.kill(int(handle.read().strip()), 0)
        return True
    except (OSError, ValueError):
        return False


def query_as(uri: str, password: str) -> str:
    # session.run, not execute_query: a single attempt, without the driver's retry loop and logs.
    auth = ("neo4j", password)
    with (
        GraphDatabase.driver(uri, auth=auth, connection_timeout=3) as driver,
        driver.session() as session,
    ):
        record = session.run(
            "CALL dbms.components() YIELD versions RETURN versions[0] AS version"
        ).single(strict=True)
        return str(record["version"])


def set_initial_password(uri: str, password: str) -> None:
    auth = ("neo4j", FACTORY_PASSWORD)
    with (
        GraphDatabase.driver(uri, auth=auth, connection_timeout=3) as driver,
        driver.session(database="system") as session,
    ):
        session.run(
            "ALTER CURRENT USER SET PASSWORD FROM $old TO $new", old=FACTORY_PASSWORD, new=password
        ).consume()


def wait(uri: str, password: str, timeout: float, pidfile: str | None) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return query_as(uri, password)
        except AuthError:
            # A fresh store only knows neo4j/neo4j; an old one with another password fails here too.
            try:
                set_initial_password(uri, password)
            except AuthError as error:
                raise SystemExit(
                    "Neo4j rejected both NEO4J_PASSWORD and the factory password. The data "
                    "folder holds another password: set NEO4J_PASSWORD to it, or delete the "
                    f"instance folder under var/ to start empty. ({error.message})"
                ) from None
        except (ServiceUnavailable, SessionExpired, OSError):
            pass
        if pidfile and not process_alive(pidfile):
            raise SystemExit("Neo4j exited during start-up")
        if time.monotonic() > deadline:
            raise SystemExit(f"Neo4j did not answer on {uri} within {timeout:.0f} s")
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--pidfile")
    args = parser.parse_args()
    uri = f"bolt://127.0.0.1:{os.environ.get('NEO4J_BOLT_PORT', '7687')}"
    password = os.environ.get("NEO4J_PASSWORD", "sociograph-local")
    version = wait(uri, password, args.timeout, args.pidfile)
    print(f"Neo4j {version} ready on {uri}")


if __name__ == "__main__":
    main()
