"""Admin actions: start a mining run, sync and reconcile the graph, erase with confirmation."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

import pytest
from celery.result import AsyncResult
from django.test import Client

from analytics.models import MiningRun, RunStatus
from people.models import Membership, Person
from sociograph.accounts.roles import Role, assign_role
from sociograph.graph import reconcile, relay
from tests.support.admin import messages_of
from tests.support.users import user_with_role
from tests.support.workers import wait_for_idle_workers

if TYPE_CHECKING:
    pass

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("graph")]


def task_id_in(text: str) -> str:
    found = re.search(r"task ([0-9a-f-]{36})", text)
    assert found, text
    return found.group(1)


@pytest.mark.django_db
def test_erasing_asks_for_confirmation_first(admin_client: Client) -> None:
    cai = Person.objects.get(external_id="E3")
    response = admin_client.post(
        "/admin/people/person/", {"action": "erase_people", "_selected_action": [cai.pk]}
    )
    assert response.status_code == 200
    assert "Cai Moor (E3)" in response.content.decode()
    assert "cannot be undone" in response.content.decode()
    assert Person.objects.filter(pk=cai.pk).exists()


@pytest.mark.django_db
def test_confirmed_erasure_reaches_neo4j(admin_client: Client) -> None:
    cai = Person.objects.get(external_id="E3")
    response = admin_client.post(
        "/admin/people/person/",
        {"action": "erase_people", "_selected_action": [cai.pk], "confirm": "yes"},
        follow=True,
    )
    assert "Erased 1 people" in " ".join(messages_of(response))
    assert not Person.objects.filter(external_id="E3").exists()
    assert not Membership.objects.filter(person_id=cai.pk).exists()
    relay.relay(wait_seconds=30)
    drifts = reconcile.compare_all()
    assert [d.describe() for d in drifts if d.drifted] == []
    people = next(d for d in drifts if d.entity == "person")
    assert people.sql_count == people.graph_count == 4


@pytest.mark.django_db
def test_graph_buttons_accept_only_post(admin_client: Client) -> None:
    assert admin_client.get("/admin/graph/outboxentry/sync/").status_code == 405
    assert admin_client.get("/admin/graph/outboxentry/reconcile/").status_code == 405
    page = admin_client.get("/admin/graph/outboxentry/").content.decode()
    assert "Sync graph now" in page
    assert "Reconcile graph" in page


@pytest.mark.django_db(transaction=True)
def test_reconcile_button_repairs_drift_in_a_worker(
    admin_client: Client, celery_worker: str
) -> None:
    Person.objects.filter(external_id="E4").update(is_active=False)  # SQL only: drift
    assert any(d.drifted for d in reconcile.compare_all())
    response = admin_client.post("/admin/graph/outboxentry/reconcile/", follow=True)
    result = AsyncResult(task_id_in(" ".join(messages_of(response)))).get(timeout=120)
    assert result["status"] == "ok", result
    assert "repaired" in str(result["report"])
    assert [d.describe() for d in reconcile.compare_all() if d.drifted] == []
    wait_for_idle_workers()


@pytest.mark.django_db(transaction=True)
def test_start_button_queues_a_run_that_a_worker_finishes(
    admin_client: Client, celery_worker: str
) -> None:
    form = admin_client.get("/admin/analytics/miningrun/start/")
    assert 'name="window_days"' in form.content.decode()
    response = admin_client.post("/admin/analytics/miningrun/start/", {"window_days": "30"})
    assert response.status_code == 302
    mining_run = MiningRun.objects.get()
    assert mining_run.params["window_days"] == 30
    assert mining_run.params["requested_by"] == "hr"
    deadline = time.monotonic() + 120
    while mining_run.status not in {RunStatus.SUCCEEDED, RunStatus.FAILED}:
        assert time.monotonic() < deadline, mining_run.steps
        time.sleep(0.5)
        mining_run.refresh_from_db()
    assert mining_run.status == RunStatus.SUCCEEDED, mining_run.error
    page = admin_client.get(f"/admin/analytics/miningrun/{mining_run.pk}/change/").content.decode()
    assert "100%" in page
    wait_for_idle_workers()


@pytest.mark.django_db
def test_start_refuses_a_window_that_is_not_a_positive_number(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/analytics/miningrun/start/", {"window_days": "0"}, follow=True
    )
    assert "at least 1" in " ".join(messages_of(response))
    assert not MiningRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_sync_button_relays_the_outbox_in_a_worker(
    admin_client: Client, celery_worker: str
) -> None:
    response = admin_client.post("/admin/graph/outboxentry/sync/", follow=True)
    result = AsyncResult(task_id_in(" ".join(messages_of(response)))).get(timeout=120)
    assert result["status"] in {"ok", "busy"}, result
    wait_for_idle_workers()


@pytest.mark.django_db
def test_an_hr_admin_by_role_uses_the_admin_and_an_employee_cannot() -> None:
    hr = user_with_role(Role.HR_ADMIN, "hr-role", email="hr@example.org", password="pw-hr-role-1")
    employee = user_with_role(Role.EMPLOYEE, "emp", email="emp@example.org", password="pw-emp-1")
    pages = (
        "/admin/analytics/finding/",
        "/admin/analytics/miningrun/start/",
        "/admin/people/person/",
        "/admin/django_celery_beat/periodictask/",
        "/admin/reports/report/",
    )
    client = Client()
    client.force_login(hr)
    assert {page: client.get(page).status_code for page in pages} == dict.fromkeys(pages, 200)
    client.force_login(employee)
    for page in pages:
        assert client.get(page)["Location"].startswith("/admin/login/"), page
    assign_role(hr, Role.MANAGER)
    hr.refresh_from_db()
    assert not hr.is_staff
