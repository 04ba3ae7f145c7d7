import os

from celery import shared_task

from sociograph.graph.services import server_info


@shared_task
def describe_graph_server() -> dict[str, object]:
    """Which Neo4j this worker process reaches, and from which process (diagnostics)."""
    return {**server_info(), "worker_pid": os.getpid()}
