"""`/health/` against the real services, and with each of them made unreachable."""

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

CLOSED_PORT = 1  # nothing listens on tcpmux here


def test_everything_ok(client: Client, celery_worker: str) -> None:
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["neo4j"]["version"].startswith("5.26.")
    assert body["checks"]["redis"]["status"] == "ok"
    assert celery_worker in body["checks"]["celery"]["workers"]


@pytest.mark.usefixtures("fresh_driver", "celery_worker")
def test_neo4j_down_gives_503(client: Client, settings: Settings) -> None:
    settings.NEO4J = {**settings.NEO4J, "URI": f"bolt://127.0.0.1:{CLOSED_PORT}"}
    response = client.get("/health/")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["checks"]["neo4j"]["status"] == "error"
    assert "ServiceUnavailable" in body["checks"]["neo4j"]["error"]
    assert body["checks"]["redis"]["status"] == "ok"


@pytest.mark.usefixtures("fresh_driver", "celery_worker")
def test_wrong_neo4j_password_gives_503(client: Client, settings: Settings) -> None:
    settings.NEO4J = {**settings.NEO4J, "PASSWORD": "not-the-password"}
    response = client.get("/health/")
    assert response.status_code == 503
    assert "AuthError" in response.json()["checks"]["neo4j"]["error"]


@pytest.mark.usefixtures("celery_worker")
def test_redis_down_gives_503(client: Client, settings: Settings) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["status"] == "error"


def test_only_get_is_allowed(client: Client) -> None:
    assert client.post("/health/").status_code == 405
