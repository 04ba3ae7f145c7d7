"""Every endpoint x every role x every method, from one table written here, independently of the
views' own policies. A route missing from the table fails `test_the_table_covers_every_route`,
so a new endpoint cannot be forgotten.

"Allowed" means the request got past authentication and authorization: any status but 401/403
(a 400 for a minimal body is fine). "Denied" means 403. Objects used are ones each allowed role
may see (the employee E3's own records, in the manager E2's team), so a 404 would be a failure.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from pytest_django.fixtures import Settings

from analytics.models import ContextMetric, Finding, MiningRun, RunStatus
from outcomes.models import Outcome
from outcomes.services import OutcomeInput, record_outcomes
from people.models import Context, Membership, OptOutChange, Person
from recognition.models import Follow, Interaction, Recognition
from sociograph.accounts.roles import ALL_ROLES, Role
from tests.support.api import Org, stored_report
from web.api.scope import PERSON_FIELDS, PERSON_FIELDS_SEEN
from web.api.serializers import PersonSerializer
from webhooks.models import Webhook

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
    # opting in or out needs a linked person (the fixture's HR admin has none)
    ("me", "patch"): frozenset({MANAGER, EMPLOYEE}),
    ("report-list", "get"): frozenset({HR}),
    ("report-detail", "get"): frozenset({HR}),
    ("report-download", "get"): frozenset({HR}),
    ("outcome-list", "get"): frozenset({HR}),
    ("outcome-list", "post"): frozenset({HR, INTEGRATION}),
    ("outcome-detail", "get"): frozenset({HR}),
    ("outcome-detail", "delete"): frozenset({HR}),
    ("outcome-bulk", "post"): frozenset({HR, INTEGRATION}),
    ("outcome-aggregates", "get"): frozenset({HR, MANAGER}),
    # one's own outcomes need a linked person (the fixture's HR admin has none)
    ("me-outcomes", "get"): frozenset({MANAGER, EMPLOYEE}),
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
    "me": {"analytics_opt_out": False},
    "outcome-list": {
        "kind": "enps",
        "subject": "E3",
        "at": "2026-10-01",
        "value": 9,
        "scale": "0-10",
    },
    "outcome-bulk": {"outcomes": [{"kind": "departure", "subject": "E4", "at": "2026-10-01"}]},
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
        "outcome": str(_stored_outcome(e3).pk),
    }


def _stored_outcome(person: Person) -> Outcome:
    record_outcomes([OutcomeInput("wellbeing", date(2026, 10, 1), person, value=4, scale=(1, 5))])
    return Outcome.objects.get(person=person)


FIXED_PATHS = {
    "events-bulk": "/api/v1/events/bulk/",
    "me": "/api/v1/me/",
    "me-outcomes": "/api/v1/me/outcomes/",
    "outcome-bulk": "/api/v1/outcomes/bulk/",
    "outcome-aggregates": "/api/v1/outcomes/aggregates/",
}


def path_of(route: str, objects: dict[str, str]) -> str:
    resource, _, kind = route.rpartition("-")
    if route in FIXED_PATHS:
        return FIXED_PATHS[route]
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


# --- A manager's scope: the reporting line as of today -------------------------------------------
# The fixture's manager is E2 (reports E3 and E4); E1 is the CEO, E5 reports to E1.


def today() -> date:
    return timezone.localdate()


def person(external_id: str, manager: str, **fields: Any) -> Person:
    boss = Person.objects.get(external_id=manager)
    return Person.objects.create(external_id=external_id, name=external_id, manager=boss, **fields)


def member(context: str, *external_ids: str, **period: Any) -> None:
    team, _ = Context.objects.get_or_create(kind="team", name=context)
    for external_id in external_ids:
        Membership.objects.create(
            person=Person.objects.get(external_id=external_id), context=team, **period
        )


def listed(org: Org, role: str, path: str) -> list[dict[str, Any]]:
    response = org.client(role).get(path)
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


def people_seen(org: Org, role: str) -> list[str]:
    return [row["external_id"] for row in listed(org, role, "/api/v1/people/?limit=1000")]


def test_a_manager_sees_their_reports_direct_and_indirect_not_a_peer_sharing_a_context(
    org: Org,
) -> None:
    person("E6", "E3", email="fay@example.org")  # reports to E3: E2's indirect report
    person("E7", "E1", email="gus@example.org")  # E2's peer
    member("Platform", "E7")  # shares team:Platform with E2
    person("E8", "E2", left_on=today() - timedelta(days=1), is_active=False)  # left yesterday
    assert people_seen(org, MANAGER) == ["E2", "E3", "E4", "E6"]
    peer = Person.objects.get(external_id="E7")
    assert org.client(MANAGER).get(f"/api/v1/people/{peer.uuid}/").status_code == 404
    memberships = listed(org, MANAGER, "/api/v1/memberships/?limit=1000")
    assert {row["person"] for row in memberships} == {"E2", "E3", "E4"}


def test_the_reporting_line_ends_at_a_loop_of_managers(org: Org) -> None:
    # E2 -> E4 -> E2: written past the services, which refuse loops
    Person.objects.filter(external_id="E2").update(manager=Person.objects.get(external_id="E4"))
    assert people_seen(org, MANAGER) == ["E2", "E3", "E4"]


@pytest.fixture
def scoped_run(org: Org) -> MiningRun:
    """E2's line grows to E3, E4, E6, E9, E10. team:Reports has those 5 in force; team:Almost
    the same but E10's period ended (4 in force); team:Finance 2 has 6 people outside the line
    and a period of E2 that ended in 2024. Every context has 6 members per the run, a size
    metric, an energy metric and a (non-sensitive) silo finding."""
    person("E6", "E3")
    for external_id in ("E9", "E10"):
        person(external_id, "E2")
    line = ("E3", "E4", "E6", "E9", "E10")
    member("Reports", *line)
    member("Almost", *line[:4])
    member("Almost", "E10", until=today() - timedelta(days=1))
    outsiders = ("E11", "E12", "E13", "E14", "E15", "E16")
    for external_id in outsiders:
        person(external_id, "E1")
    member("Finance 2", *outsiders)
    member("Finance 2", "E2", since=date(2024, 1, 1), until=date(2024, 6, 30))
    run = MiningRun.objects.create(
        status=RunStatus.SUCCEEDED,
        window_start=datetime(2026, 8, 1, tzinfo=UTC),
        window_end=datetime(2026, 11, 1, tzinfo=UTC),
        finished_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    for context in Context.objects.all():
        ContextMetric.objects.create(run=run, context=context, metric="size", value=6.0)
        ContextMetric.objects.create(run=run, context=context, metric="energy", value=0.5)
        Finding.objects.create(
            run=run, pattern="silo", severity="warning", context=context, sensitive=False
        )
    return run


def test_a_manager_reads_aggregates_only_of_contexts_with_5_reports_in_force(
    org: Org, scoped_run: MiningRun
) -> None:
    metrics = listed(org, MANAGER, f"/api/v1/runs/{scoped_run.pk}/metrics/?scope=context")
    assert {(row["subject"], row["metric"], row["value"]) for row in metrics} == {
        ("team:Reports", "size", 6.0),
        ("team:Reports", "energy", 0.5),
    }
    findings = listed(org, MANAGER, f"/api/v1/runs/{scoped_run.pk}/findings/")
    assert [row["context"] for row in findings] == ["team:Reports"]


def test_a_managers_ended_membership_gives_no_access(org: Org, scoped_run: MiningRun) -> None:
    finance = "team:Finance 2"
    metrics = listed(org, MANAGER, f"/api/v1/runs/{scoped_run.pk}/metrics/?subject={finance}")
    assert metrics == []
    findings = listed(org, MANAGER, f"/api/v1/runs/{scoped_run.pk}/findings/")
    assert finance not in {row["context"] for row in findings}
    members = people_seen(org, MANAGER)
    assert not {"E11", "E12", "E13", "E14", "E15", "E16"} & set(members)
    assert listed(org, MANAGER, f"/api/v1/people/?context={finance}") == [
        row for row in listed(org, MANAGER, "/api/v1/people/") if row["external_id"] == "E2"
    ]


# --- The role x field table of person records ----------------------------------------------------
# The table is PERSON_FIELDS_SEEN (web/api/scope.py, printed in docs/api.md): fields of
# other people's records per role. Each role looks at E4: the manager's report, someone else.

FIELD_CASES = [
    (role, field) for role in (HR, MANAGER, INTEGRATION) for field in sorted(PERSON_FIELDS)
]


def test_the_field_table_names_every_field_a_person_record_has() -> None:
    readable = {name for name, field in PersonSerializer().fields.items() if not field.write_only}
    assert readable == set(PERSON_FIELDS)
    assert set(PERSON_FIELDS_SEEN) == ALL_ROLES  # the API's roles (scim answers only SCIM)


def test_every_role_that_sees_a_record_gets_the_fields_the_contract_requires(org: Org) -> None:
    schema = org.client(None).get("/api/v1/schema/?format=json").json()
    required = set(schema["components"]["schemas"]["Person"]["required"])
    for role, fields in PERSON_FIELDS_SEEN.items():
        assert not fields or required <= fields, role


def test_the_field_table_in_the_docs_is_the_one_in_code() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    table = text.split("<!-- person-fields-table -->")[1].split("<!-- /person-fields-table -->")[0]
    header, _, *rows = [line.strip("|").split("|") for line in table.strip().splitlines()]
    roles = [Role(cell.strip().strip("`")) for cell in header[1:]]
    documented = {role: set[str]() for role in roles}
    for field, *cells in rows:
        for role, cell in zip(roles, cells, strict=True):
            if cell.strip() == "yes":
                documented[role].add(field.strip().strip("`"))
    assert documented == {role: set(fields) for role, fields in PERSON_FIELDS_SEEN.items()}
    assert {field.strip().strip("`") for field, *_ in rows} == set(PERSON_FIELDS)


@pytest.mark.parametrize(("role", "field"), FIELD_CASES)
def test_another_persons_record_has_the_fields_of_the_table(
    org: Org, role: str, field: str
) -> None:
    e4 = Person.objects.get(external_id="E4")
    for record in (
        org.client(role).get(f"/api/v1/people/{e4.uuid}/").json(),
        *[row for row in listed(org, role, "/api/v1/people/") if row["external_id"] == "E4"],
    ):
        assert (field in record) == (field in PERSON_FIELDS_SEEN[Role(role)]), record


def test_an_employee_sees_no_other_record_and_everyone_all_of_their_own(org: Org) -> None:
    assert PERSON_FIELDS_SEEN[Role.EMPLOYEE] == frozenset()
    assert people_seen(org, EMPLOYEE) == ["E3"]
    for role, own in ((MANAGER, "E2"), (EMPLOYEE, "E3")):
        [record] = [
            row for row in listed(org, role, "/api/v1/people/") if row["external_id"] == own
        ]
        assert set(record) == set(PERSON_FIELDS)


def test_managers_and_integrations_never_receive_email_or_opt_out_of_others(org: Org) -> None:
    for role in (MANAGER, INTEGRATION):
        others = [row for row in listed(org, role, "/api/v1/people/") if row["external_id"] != "E2"]
        assert others
        for record in others:
            assert "email" not in record, (role, record)
            assert "analytics_opt_out" not in record, (role, record)


# --- Who changes analytics_opt_out ----------------------------------------------------------------


def opted_out(external_id: str) -> bool:
    return Person.objects.get(external_id=external_id).analytics_opt_out


def test_an_employee_opts_out_and_back_in_through_me(org: Org) -> None:
    employee = org.client(EMPLOYEE)
    response = employee.patch("/api/v1/me/", {"analytics_opt_out": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["analytics_opt_out"] is True
    assert opted_out("E3")
    assert employee.get("/api/v1/me/").json()["analytics_opt_out"] is True
    back = employee.patch("/api/v1/me/", {"analytics_opt_out": False}, format="json")
    assert back.status_code == 200, back.content
    assert not opted_out("E3")
    changes = OptOutChange.objects.filter(person__external_id="E3").order_by("id")
    assert [(c.opted_out, c.by_the_person, c.changed_by_username) for c in changes] == [
        (True, True, "employee-user"),
        (False, True, "employee-user"),
    ]
    bad = employee.patch("/api/v1/me/", {"analytics_opt_out": "maybe"}, format="json")
    assert bad.status_code == 400
    assert "analytics_opt_out" in bad.json()


def test_an_integration_never_changes_anyones_opt_out(org: Org) -> None:
    Person.objects.filter(external_id="E3").update(analytics_opt_out=True)
    integration = org.client(INTEGRATION)
    e3 = Person.objects.get(external_id="E3")
    response = integration.patch(
        f"/api/v1/people/{e3.uuid}/", {"analytics_opt_out": False}, format="json"
    )
    assert response.status_code == 403
    assert "analytics_opt_out" in response.json()["detail"]
    assert opted_out("E3")
    created = integration.post(
        "/api/v1/people/",
        {"external_id": "E9", "name": "New", "analytics_opt_out": True},
        format="json",
    )
    assert created.status_code == 403
    assert not Person.objects.filter(external_id="E9").exists()
    me = integration.patch("/api/v1/me/", {"analytics_opt_out": True}, format="json")
    assert me.status_code == 403
    assert not OptOutChange.objects.exists()


def test_an_hr_admin_changes_an_opt_out_only_with_a_recorded_reason(org: Org) -> None:
    hr = org.client(HR)
    e3 = Person.objects.get(external_id="E3")
    url = f"/api/v1/people/{e3.uuid}/"
    refused = hr.patch(url, {"analytics_opt_out": True}, format="json")
    assert refused.status_code == 400
    assert "opt_out_reason" in refused.json()
    assert not opted_out("E3")
    reason = "E-mail of 2026-10-01 from Cai Moor asking to be left out"
    done = hr.patch(url, {"analytics_opt_out": True, "opt_out_reason": reason}, format="json")
    assert done.status_code == 200, done.content
    assert opted_out("E3")
    [change] = OptOutChange.objects.filter(person=e3)
    assert (change.opted_out, change.by_the_person, change.reason) == (True, False, reason)
    assert change.changed_by_username == "hr_admin-user"
    # no change of the flag: no reason needed, nothing recorded
    assert hr.patch(url, {"analytics_opt_out": True}, format="json").status_code == 200
    assert OptOutChange.objects.count() == 1


def test_managers_and_employees_change_no_one_elses_opt_out(org: Org) -> None:
    e4 = Person.objects.get(external_id="E4")
    for role in (MANAGER, EMPLOYEE):
        response = org.client(role).patch(
            f"/api/v1/people/{e4.uuid}/", {"analytics_opt_out": True}, format="json"
        )
        assert response.status_code == 403
    assert not opted_out("E4")
