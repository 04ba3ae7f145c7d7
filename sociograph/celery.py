"""The Celery application. Workers:
`celery -A sociograph worker -Q celery,graph_sync,analytics,webhooks`."""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sociograph.settings.local")

app = Celery("sociograph")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _forget_parent_graph_driver(**_: object) -> None:
    # A prefork child inherits the parent's driver object and its sockets; it must open its own.
    from sociograph.graph import gateway

    gateway.discard_driver_after_fork()


@worker_process_shutdown.connect
def _close_graph_driver(**_: object) -> None:
    from sociograph.graph import gateway

    gateway.close_driver()
