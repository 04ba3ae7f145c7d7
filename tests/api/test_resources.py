"""API v1 resources against the real database: what each role sees and may write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from rest_framework.test import APIClient

from analytics.models import ContextMetric, MiningRun, OrgMetric, PersonMetric, RunStatus
from people.models import Context, Person
from recognition.models import Follow, Recognition
from sociograph.graph.models import OutboxEntry

pytestmark = [pytest.mark.django_db]

Client = Callable[[str | None], APIClient]


def outbox_entries(entity: str, uuid: str) -> int:
    return sum(uuid in entry.uuids for entry in OutboxEntry.objects.filter(entity=entity))


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


def test_without_a_token_everything_is_401(as_role: Client) -> None:
    response = as_role(None).get("/api/v1/people/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_hr_admin_lists_people_with_filters_and_pagination(as_role: Client) -> None:
    hr = as_role("hr_admin")
    everyone = results(hr.get("/api/v1/people/"))
    assert [p["external_id"] for p in everyone] == ["E1", "E2", "E3", "E4", "E5"]
    assert results(hr.get("/api/v1/people/?context=team:Platform")) == [
        p for p in everyone if p["external_id"] in ("E2", "E3", "E4")
    ]
    page = hr.get("/api/v1/people/?limit=2&offset=2").json()
    assert page["count"] == 5
    assert [p["external_id"] for p in page["results"]] == ["E3", "E4"]
    assert hr.get("/api/v1/people/?context=nonsense").status_code == 400


def test_an_employee_sees_only_themselves(as_role: Client) -> None:
    employee = as_role("employee")
    assert [p["external_id"] for p in results(employee.get("/api/v1/people/"))] == ["E3"]
    other = Person.objects.get(external_id="E4")
    assert employee.get(f"/api/v1/people/{other.uuid}/").status_code == 404
    given_or_received = results(employee.get("/api/v1/recognitions/"))
    assert {(r["giver"], r["receiver"]) for r in given_or_received} == {("E3", "E2"), ("E5", "E3")}
    assert employee.get("/api/v1/interactions/").status_code == 403


def test_a_manager_sees_themselves_and_their_reports(as_role: Client) -> None:
    # E2 manages E3 and E4 (and shares team:Platform with them).
    names = [p["external_id"] for p in results(as_role("manager").get("/api/v1/people/"))]
    assert names == ["E2", "E3", "E4"]


def test_an_employee_recognizes_as_themselves_only(as_role: Client) -> None:
    employee = as_role("employee")
    body = {"target": "E4", "context": "team:Platform", "affect": 0.5, "values": ["care"]}
    created = employee.post("/api/v1/recognitions/", body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["giver"] == "E3"
    assert created.json()["values"] == ["care"]
    recognition = Recognition.objects.get(uuid=created.json()["uuid"])
    assert outbox_entries("recognition", str(recognition.uuid)) == 1
    forged = employee.post("/api/v1/recognitions/", {**body, "source": "E5"}, format="json")
    assert forged.status_code == 403


def test_event_validation_errors_name_the_field(as_role: Client) -> None:
    hr = as_role("hr_admin")
    cases = {
        "target": {"source": "E3", "target": "E99"},
        "affect": {"source": "E3", "target": "E4", "affect": 3},
        "context": {"source": "E3", "target": "E4", "context": "team:Nowhere"},
        "at": {"source": "E3", "target": "E4", "at": "yesterday"},
    }
    for field, body in cases.items():
        response = hr.post("/api/v1/recognitions/", body, format="json")
        assert response.status_code == 400, (field, response.content)
        assert field in response.json(), (field, response.json())
    self_recognition = hr.post(
        "/api/v1/recognitions/", {"source": "E3", "target": "E3"}, format="json"
    )
    assert self_recognition.status_code == 400
    assert "same person" in str(self_recognition.json())


def test_the_same_event_twice_is_a_conflict(as_role: Client) -> None:
    hr = as_role("hr_admin")
    body = {"source": "E3", "target": "E4", "at": "2026-10-05T10:00:00Z", "event_id": "x-1"}
    assert hr.post("/api/v1/interactions/", body, format="json").status_code == 201
    assert hr.post("/api/v1/interactions/", body, format="json").status_code == 409


def test_bulk_keeps_good_events_and_reports_bad_ones_by_index(as_role: Client) -> None:
    events = [
        {"kind": "interaction", "source": "E1", "target": "E2", "at": "2026-10-06T10:00:00Z"},
        {"kind": "interaction", "source": "E1", "target": "E404", "at": "2026-10-06T10:00:00Z"},
        {"kind": "gossip", "source": "E1", "target": "E2", "at": "2026-10-06T10:00:00Z"},
        {"kind": "recognition", "source": "E4", "target": "E1", "values": ["care", "grit"]},
        {
            "kind": "follow",
            "source": "E4",
            "target": "E1",
            "context": "team:Platform",
            "at": "2026-10-06T10:00:00Z",
            "colour": "red",
        },
    ]
    response = as_role("integration").post(
        "/api/v1/events/bulk/", {"events": events}, format="json"
    )
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["accepted"], report["rejected"]) == (1, 4)
    reasons = {item["index"]: item["reason"] for item in report["rejections"]}
    assert "E404" in reasons[1]
    assert "gossip" in reasons[2]
    assert "at: required" in reasons[3]
    assert "colour" in reasons[4]


def test_atomic_bulk_stores_nothing_when_one_event_is_bad(as_role: Client) -> None:
    before = Recognition.objects.count()
    events = [
        {"kind": "recognition", "source": "E1", "target": "E2", "at": "2026-10-06T10:00:00Z"},
        {"kind": "recognition", "source": "E1", "target": "E1", "at": "2026-10-06T10:00:00Z"},
    ]
    response = as_role("integration").post(
        "/api/v1/events/bulk/", {"events": events, "atomic": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["accepted"] == 0
    assert Recognition.objects.count() == before


def test_the_follower_ends_a_follow(as_role: Client) -> None:
    follow = Follow.objects.get(follower__external_id="E3")
    url = f"/api/v1/follows/{follow.uuid}/"
    ended = as_role("employee").patch(url, {"until": "2026-11-01T00:00:00Z"}, format="json")
    assert ended.status_code == 200, ended.content
    follow.refresh_from_db()
    assert follow.until is not None
    assert follow.until.isoformat() == "2026-11-01T00:00:00+00:00"
    before_start = as_role("hr_admin").patch(url, {"until": "2020-01-01T00:00:00Z"}, format="json")
    assert before_start.status_code == 400


def test_people_are_created_updated_and_erased_through_the_services(as_role: Client) -> None:
    hr = as_role("hr_admin")
    body = {
        "external_id": "E6",
        "name": "Fay Quill",
        "manager": "E2",
        "contexts": ["team:Platform"],
    }
    created = hr.post("/api/v1/people/", body, format="json")
    assert created.status_code == 201, created.content
    uuid = created.json()["uuid"]
    assert created.json()["manager"] == "E2"
    assert Person.objects.get(uuid=uuid).memberships.get().context.key == "team:Platform"
    assert hr.post("/api/v1/people/", body, format="json").status_code == 409
    e2 = Person.objects.get(external_id="E2")
    loop = hr.patch(f"/api/v1/people/{e2.uuid}/", {"manager": "E6"}, format="json")
    assert loop.status_code == 400
    assert "manager" in loop.json()
    entries = outbox_entries("person", uuid)
    assert entries >= 1
    url = f"/api/v1/people/{uuid}/"
    assert hr.patch(url, {"title": "Engineer"}, format="json").json()["title"] == "Engineer"
    assert outbox_entries("person", uuid) == entries + 1
    assert hr.delete(url).status_code == 204
    assert not Person.objects.filter(external_id="E6").exists()
    assert outbox_entries("person", uuid) == entries + 2


def test_bodies_over_the_limit_get_413(as_role: Client, settings: Any) -> None:
    settings.SOCIOGRAPH_API_MAX_BODY_BYTES = 1000
    response = as_role("integration").post(
        "/api/v1/events/bulk/", {"events": [{"kind": "x" * 2000}]}, format="json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_too_many_requests_get_429_with_retry_after(as_role: Client, settings: Any) -> None:
    settings.SOCIOGRAPH_API_RATES = {"api": "3/min", "bulk": "1/min"}
    client = as_role("employee")
    statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/me/")
    assert int(refused["Retry-After"]) > 0


def test_metric_pages_are_the_slices_of_the_whole_list(as_role: Client) -> None:
    run = MiningRun.objects.create(
        status=RunStatus.SUCCEEDED,
        window_start=datetime(2026, 8, 1, tzinfo=UTC),
        window_end=datetime(2026, 11, 1, tzinfo=UTC),
        finished_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    for person in Person.objects.all():
        for metric in ("in_degree", "out_degree"):
            PersonMetric.objects.create(run=run, person=person, metric=metric, value=1.0)
    for context in Context.objects.all():
        ContextMetric.objects.create(run=run, context=context, metric="size", value=3.0)
    OrgMetric.objects.create(run=run, metric="people", value=5.0)
    hr = as_role("hr_admin")
    everything = results(hr.get(f"/api/v1/runs/{run.pk}/metrics/?limit=1000"))
    assert len(everything) == 5 * 2 + Context.objects.count() + 1
    assert [row["scope"] for row in everything[9:12]] == ["person", "context", "context"]
    for limit in (1, 3, 7):
        paged = []
        for offset in range(0, len(everything), limit):
            url = f"/api/v1/runs/{run.pk}/metrics/?limit={limit}&offset={offset}"
            paged += results(hr.get(url))
        assert paged == everything
    manager = results(as_role("manager").get(f"/api/v1/runs/{run.pk}/metrics/?scope=context"))
    assert manager == []  # E2 has 2 reports: no context holds 5 of them


def test_run_ids_that_are_not_ascii_digits_are_404(as_role: Client) -> None:
    hr = as_role("hr_admin")
    for reference in ("¹", "٣", "1.0", "-1", "latest"):
        response = hr.get(f"/api/v1/runs/{reference}/")
        assert response.status_code == 404, (reference, response.content)


def test_person_dates_are_written_and_is_active_follows_left_on(as_role: Client) -> None:
    hr = as_role("hr_admin")
    body = {"external_id": "E7", "name": "Gus Hale", "joined_on": "2024-01-01"}
    created = hr.post("/api/v1/people/", {**body, "left_on": "2025-01-01"}, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["left_on"], created.json()["is_active"]) == ("2025-01-01", False)
    bad = hr.post(
        "/api/v1/people/", {**body, "external_id": "E8", "left_on": "2023-01-01"}, format="json"
    )
    assert bad.status_code == 400
    assert "is not after joined_on" in str(bad.json())
    url = f"/api/v1/people/{created.json()['uuid']}/"
    patched = hr.patch(url, {"left_on": "2999-01-01"}, format="json")
    assert (patched.json()["left_on"], patched.json()["is_active"]) == ("2999-01-01", True)
    early = hr.patch(url, {"left_on": "2023-06-01"}, format="json")
    assert early.status_code == 400
    assert "left_on" in str(early.json())


def test_a_second_membership_period_is_created_unless_it_overlaps(as_role: Client) -> None:
    hr = as_role("hr_admin")
    first = {"person": "E4", "context": "team:Insights", "since": "2024-01-01"}
    first["until"] = "2024-12-31"
    assert hr.post("/api/v1/memberships/", first, format="json").status_code == 201
    second = {"person": "E4", "context": "team:Insights", "since": "2025-01-01", "role": "lead"}
    assert hr.post("/api/v1/memberships/", second, format="json").status_code == 201
    overlap = {"person": "E4", "context": "team:Insights", "since": "2024-06-01"}
    refused = hr.post("/api/v1/memberships/", overlap, format="json")
    assert refused.status_code == 400
    assert "overlaps the period since 2024-01-01 until 2024-12-31" in str(refused.json())
    assert Person.objects.get(external_id="E4").memberships.count() == 3  # Platform + 2 periods
