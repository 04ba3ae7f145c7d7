"""/api/v1/outcomes/: writes by HR admins and integrations, per-person reads by HR admins only,
and everyone's own outcomes at /api/v1/me/outcomes/."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from outcomes.models import Outcome

pytestmark = pytest.mark.django_db
Clients = Callable[[str], APIClient]
URL = "/api/v1/outcomes/"
ANSWER = {"kind": "wellbeing", "subject": "P1", "at": "2025-02-10", "value": 4, "scale": "1-5"}


@pytest.mark.parametrize("role", ["hr_admin", "integration"])
def test_writers_record_an_outcome_once(client_as: Clients, role: str) -> None:
    created = client_as(role).post(URL, ANSWER)
    assert created.status_code == 201, created.content
    assert created.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "kind": "wellbeing",
        "person": "P1",
        "context": None,
        "metric": "",
        "at": "2025-02-10",
        "value": 4.0,
        "scale_min": 1.0,
        "scale_max": 5.0,
        "voluntary": None,
        "created_at": "",
    }
    again = client_as(role).post(URL, ANSWER)
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    assert Outcome.objects.count() == 1


@pytest.mark.parametrize("role", ["manager", "employee"])
def test_managers_and_employees_write_no_outcome(client_as: Clients, role: str) -> None:
    assert client_as(role).post(URL, ANSWER).status_code == 403
    assert client_as(role).post(f"{URL}bulk/", {"outcomes": [ANSWER]}).status_code == 403
    assert Outcome.objects.count() == 0


def test_a_bad_outcome_is_a_field_error_with_the_importers_reason(client_as: Clients) -> None:
    answer = client_as("hr_admin").post(URL, {**ANSWER, "value": 9})
    assert answer.status_code == 400
    assert answer.json() == {"value": ["9 is outside the scale 1-5"]}
    unknown = client_as("hr_admin").post(URL, {**ANSWER, "subject": "NOBODY"})
    assert unknown.json() == {"subject": ["'NOBODY' is not a known person (external_id)"]}
    extra = client_as("hr_admin").post(URL, {**ANSWER, "mood": "fine"})
    assert extra.status_code == 400


def test_bulk_reports_rejections_by_index(client_as: Clients) -> None:
    departure = {"kind": "departure", "subject": "P2", "at": "2025-03-01", "value": "voluntary"}
    result = {
        "kind": "team_result",
        "subject": "delivery",
        "at": "2025-01-01",
        "value": 0.9,
        "context": "team:Alpha",
    }
    bad = {**ANSWER, "subject": "P3", "scale": "0-10", "kind": "enps", "value": 11}
    body = {"outcomes": [ANSWER, departure, result, bad]}
    answer = client_as("integration").post(f"{URL}bulk/", body)
    assert answer.status_code == 200
    assert answer.json() == {
        "accepted": 3,
        "already_present": 0,
        "rejected": 1,
        "rejections": [{"index": 3, "reason": "value: 11 is outside the scale 0-10"}],
    }
    again = client_as("integration").post(f"{URL}bulk/", {"outcomes": body["outcomes"][:3]})
    assert again.json()["already_present"] == 3
    atomic = client_as("hr_admin").post(f"{URL}bulk/", {"outcomes": [bad], "atomic": True})
    assert atomic.status_code == 400
    assert atomic.json()["rejected"] == 1


def test_only_hr_admins_read_outcomes_one_by_one(client_as: Clients) -> None:
    created = client_as("hr_admin").post(URL, ANSWER).json()
    detail = f"{URL}{created['id']}/"
    for role in ("manager", "employee", "integration"):
        assert client_as(role).get(URL).status_code == 403, role
        assert client_as(role).get(detail).status_code == 403, role
        assert client_as(role).delete(detail).status_code == 403, role
    hr = client_as("hr_admin")
    listed = hr.get(URL, {"kind": "wellbeing", "person": "P1", "since": "2025-02-01"})
    assert [row["id"] for row in listed.json()["results"]] == [created["id"]]
    assert hr.get(URL, {"until": "2025-02-10"}).json()["count"] == 0
    assert hr.get(URL, {"since": "yesterday"}).status_code == 400
    assert hr.get(detail).json()["person"] == "P1"
    assert hr.delete(detail).status_code == 204
    assert Outcome.objects.count() == 0


def test_everyone_with_a_person_reads_their_own_outcomes(client_as: Clients) -> None:
    hr = client_as("hr_admin")
    hr.post(URL, ANSWER)
    hr.post(URL, {**ANSWER, "subject": "P2"})
    own = client_as("employee").get("/api/v1/me/outcomes/")
    assert own.status_code == 200
    assert [row["person"] for row in own.json()["results"]] == ["P1"]
    assert client_as("manager").get("/api/v1/me/outcomes/").json()["count"] == 0
    assert client_as("integration").get("/api/v1/me/outcomes/").status_code == 403
    assert client_as("hr_admin").get("/api/v1/me/outcomes/").status_code == 403  # no person
