"""Every endpoint x every role x every method, from one table written here, independently of the
views' own policies. A route missing from the table fails `test_the_table_covers_every_route`,
so a new endpoint cannot be forgotten.

"Allowed" means the request got past authentication and authorization: any status but 401/403
(a 400 for a minimal body is fine). "Denied" means 403. Objects used are ones each allowed role
may see (the employee E3's own records, in the manager E2's team), so a 404 would be a failure.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from pytest_django.fixtures import Settings

from analytics.models import Finding, MiningRun, RunStatus
from people.models import Context, Membership, Person
from recognition.models import Follow, Interaction, Recognition
from sociograph.api.models import Webhook
from tests.api.conftest import Org, stored_report

pytestmark = [pytest.mark.django_db]

HR, MANAGER, EMPLOYEE, INTEGRATION = "hr_admin", "manager", "employee", "integration"
ROLES = (HR, MANAGER, EMPLOYEE, INTEGRATION)
EVERYONE = frozenset(ROLES)
PEOPLE = frozenset({HR, MANAGER, EMPLOYEE})

# (route name, method): roles allowed. Paths are filled from the objects below.
TABLE: dict[tuple[str, str], frozenset[str]] = {
    ("person-list", "get"): EVERYONE,
    ("person-list", "post"): frozenset({HR, INTEGRATION}),
    ("person-detail", "get"): EVERYONE,
    ("person-detail", "patch"): frozenset({HR, INTEGRATION}),
    ("person-detail", "delete"): frozenset({HR}),
    ("context-list", "get"): EVERYONE,
    ("context-list", "post"): frozenset({HR, INTEGRATION}),
    ("context-detail", "get"): EVERYONE,
    ("context-detail", "patch"): frozenset({HR, INTEGRATION}),
    ("context-detail", "delete"): frozenset({HR}),
    ("membership-list", "get"): EVERYONE,
    ("membership-list", "post"): frozenset({HR, INTEGRATION}),
    ("membership-detail", "get"): EVERYONE,
    ("membership-detail", "patch"): frozenset({HR, INTEGRATION}),
    ("membership-detail", "delete"): frozenset({HR, INTEGRATION}),
    ("recognition-list", "get"): PEOPLE,
    ("recognition-list", "post"): EVERYONE,
    ("recognition-detail", "get"): PEOPLE,
    ("recognition-detail", "delete"): frozenset({HR}),
    ("follow-list", "get"): PEOPLE,
    ("follow-list", "post"): EVERYONE,
    ("follow-detail", "get"): PEOPLE,
    ("follow-detail", "patch"): PEOPLE,
    ("follow-detail", "delete"): frozenset({HR}),
    ("interaction-list", "get"): frozenset({HR}),
    ("interaction-list", "post"): frozenset({HR, INTEGRATION}),
    ("interaction-detail", "get"): frozenset({HR}),
    ("interaction-detail", "delete"): frozenset({HR}),
    ("events-bulk", "post"): frozenset({HR, INTEGRATION}),
    ("run-list", "get"): PEOPLE,
    ("run-list", "post"): frozenset({HR}),
    ("run-detail", "get"): PEOPLE,
    ("run-metrics", "get"): PEOPLE,
    ("run-findings", "get"): frozenset({HR, MANAGER}),
    ("webhook-list", "get"): frozenset({HR}),
    ("webhook-list", "post"): frozenset({HR}),
    ("webhook-detail", "get"): frozenset({HR}),
    ("webhook-detail", "patch"): frozenset({HR}),
    ("webhook-detail", "delete"): frozenset({HR}),
    ("webhook-deliveries", "get"): frozenset({HR}),
    ("me", "get"): EVERYONE,
    ("report-list", "get"): frozenset({HR}),
    ("report-detail", "get"): frozenset({HR}),
    ("report-download", "get"): frozenset({HR}),
}
PUBLIC = {("schema", "get"), ("docs", "get")}  # the contract itself is not a secret

WRITE_BODIES: dict[str, dict[str, Any]] = {
    "person-list": {"external_id": "E9", "name": "New Person"},
    "context-list": {"kind": "topic", "name": "Matrix"},
    "membership-list": {"person": "E1", "context": "team:Platform"},
    "recognition-list": {"source": "E3", "target": "E4", "at": "2026-10-07T10:00:00Z"},
    "follow-list": {
        "source": "E3",
        "target": "E4",
        "context": "team:Platform",
        "at": "2026-10-07T10:00:00Z",
    },
    "interaction-list": {"source": "E3", "target": "E4", "at": "2026-10-07T10:00:00Z"},
    "events-bulk": {"events": [{"kind": "interaction", "source": "E3", "target": "E4"}]},
    "run-list": {"window_days": 30},
    "webhook-list": {"url": "https://hooks.example.org/hook", "patterns": ["silo"]},
    "person-detail": {"title": "Engineer"},
    "context-detail": {"name": "Platform"},
    "membership-detail": {"role": "lead"},
    "follow-detail": {"until": "2026-11-01T00:00:00Z"},
    "webhook-detail": {"is_active": False},
}


def api_routes() -> set[tuple[str, str]]:
    """(route name, method) of every route under /api/v1/, read from the URL configuration."""
    found: set[tuple[str, str]] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "api" and pattern.name:
                callback: Any = pattern.callback
                actions = getattr(callback, "actions", None)
                methods = _viewset_methods(callback) if actions else _view_methods(callback)
                found.update((pattern.name, method) for method in methods if method != "head")

    walk(get_resolver().url_patterns, "")
    return {(name, method) for name, method in found if not name.endswith("-root")}


def _viewset_methods(callback: Any) -> list[str]:
    """Methods the router maps to actions, minus those the viewset turns away (405)."""
    return [m for m in callback.actions if m in callback.cls.http_method_names]


def _view_methods(callback: Any) -> list[str]:
    view = callback.view_class
    return [m for m in view.http_method_names if m != "options" and hasattr(view, m)]


def test_the_table_covers_every_route() -> None:
    assert api_routes() == set(TABLE) | PUBLIC


@pytest.fixture
def objects(org: Org, settings: Settings, tmp_path: Path) -> dict[str, str]:
    settings.MEDIA_ROOT = tmp_path / "media"
    e3 = Person.objects.get(external_id="E3")
    run = MiningRun.objects.create(
        status=RunStatus.SUCCEEDED,
        window_start=datetime(2026, 8, 1, tzinfo=UTC),
        window_end=datetime(2026, 11, 1, tzinfo=UTC),
        finished_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    Finding.objects.create(run=run, pattern="silo", severity="warning")
    return {
        "person": str(e3.uuid),
        "context": str(Context.objects.get(kind="team", name="Platform").uuid),
        "membership": str(Membership.objects.get(person=e3, context__name="Platform").uuid),
        "recognition": str(Recognition.objects.get(giver=e3).uuid),
        "follow": str(Follow.objects.get(follower=e3).uuid),
        "interaction": str(Interaction.objects.get(source=e3).uuid),
        "run": str(run.pk),
        "webhook": str(Webhook.objects.create(url="http://127.0.0.1:9/", patterns=["silo"]).pk),
        "report": str(stored_report(run).pk),
    }


def path_of(route: str, objects: dict[str, str]) -> str:
    resource, _, kind = route.rpartition("-")
    if route in ("events-bulk", "me"):
        return {"events-bulk": "/api/v1/events/bulk/", "me": "/api/v1/me/"}[route]
    plural = {"person": "people", "run": "runs"}.get(resource, f"{resource}s")
    if kind == "list":
        return f"/api/v1/{plural}/"
    detail = f"/api/v1/{plural}/{objects[resource]}/"
    return detail if kind == "detail" else f"{detail}{kind}/"


CASES = [(route, method, role) for (route, method) in sorted(TABLE) for role in ROLES]


@pytest.mark.parametrize(("route", "method", "role"), CASES)
def test_role_matrix(org: Org, objects: dict[str, str], route: str, method: str, role: str) -> None:
    client = org.client(role)
    body = WRITE_BODIES.get(route, {}) if method in ("post", "patch") else None
    if body and role in (MANAGER, EMPLOYEE):  # they act as themselves: the source is implied
        body = {key: value for key, value in body.items() if key != "source"}
    if role == MANAGER:  # the follow the manager made (only the follower ends a follow)
        objects = {**objects, "follow": str(Follow.objects.get(follower__external_id="E2").uuid)}
    response = getattr(client, method)(path_of(route, objects), body, format="json")
    if role in TABLE[(route, method)]:
        assert response.status_code not in (401, 403, 404, 405), response.content
        assert response.status_code < 500
    else:
        assert response.status_code == 403, response.content


@pytest.mark.parametrize(("route", "method"), sorted(TABLE))
def test_no_token_is_401(org: Org, objects: dict[str, str], route: str, method: str) -> None:
    response = getattr(org.client(None), method)(path_of(route, objects), {}, format="json")
    assert response.status_code == 401


def test_the_schema_and_docs_are_public(org: Org) -> None:
    assert org.client(None).get("/api/v1/schema/").status_code == 200
    assert org.client(None).get("/api/v1/docs/").status_code == 200
