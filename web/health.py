"""`/health/`: is each service the platform needs reachable from this process?"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sociograph.celery import app as celery_app
from sociograph.graph.services import server_info

Check = dict[str, Any]

CELERY_PING_TIMEOUT_SECONDS = 1.0


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_neo4j() -> Check:
    return dict(server_info())


def check_redis() -> Check:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
        return {"version": client.info("server")["redis_version"]}
    finally:
        client.close()


def check_celery() -> Check:
    replies = celery_app.control.ping(timeout=CELERY_PING_TIMEOUT_SECONDS)
    workers = sorted(name for reply in replies for name in reply)
    if not workers:
        raise RuntimeError("no Celery worker answered a ping")
    return {"workers": workers}


CHECKS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "neo4j": check_neo4j,
    "redis": check_redis,
    "celery": check_celery,
}


def run_check(check: Callable[[], Check]) -> Check:
    try:
        return {"status": "ok", **check()}
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported by class and message
        return {"status": "error", "error": f"{type(error).__name__}: {error}"}


def collect_health() -> dict[str, Any]:
    results = {name: run_check(check) for name, check in CHECKS.items()}
    healthy = all(result["status"] == "ok" for result in results.values())
    return {"status": "ok" if healthy else "error", "checks": results}


@never_cache
@require_GET
def health_view(request: HttpRequest) -> JsonResponse:
    report = collect_health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
