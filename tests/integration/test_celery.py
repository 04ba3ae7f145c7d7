"""Tasks round-trip through a real `celery worker` process and its Redis broker."""

import os

import pytest

from sociograph.graph.tasks import describe_graph_server

pytestmark = pytest.mark.integration

TASK_TIMEOUT_SECONDS = 60


def test_a_task_runs_in_a_worker_process_that_reaches_neo4j(celery_worker: str) -> None:
    result = describe_graph_server.delay().get(timeout=TASK_TIMEOUT_SECONDS)
    assert str(result["version"]).startswith("5.26.")
    assert result["edition"] == "community"
    assert result["worker_pid"] != os.getpid()


def test_graph_tasks_are_routed_to_the_graph_sync_queue(celery_worker: str) -> None:
    async_result = describe_graph_server.delay()
    async_result.get(timeout=TASK_TIMEOUT_SECONDS)
    assert (
        describe_graph_server.app.amqp.router.route({}, describe_graph_server.name)["queue"].name
        == "graph_sync"
    )


def test_every_prefork_child_can_use_neo4j(celery_worker: str) -> None:
    results = [describe_graph_server.delay() for _ in range(8)]
    outcomes = [result.get(timeout=TASK_TIMEOUT_SECONDS) for result in results]
    assert all(str(outcome["version"]).startswith("5.26.") for outcome in outcomes)
