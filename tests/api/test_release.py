"""The release rule (analytics.release) in the API: differencing attempts get withheld values,
and org metrics follow the few-people rule too (issue 12)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from analytics.models import Finding, MiningRun
from people.models import Context, Person
from tests.support.api import issue_token
from tests.support.release_scenarios import (
    END,
    growing_team,
    overlapping_groups,
    person,
    run_measuring,
    team_of,
)
from webhooks.delivery import queue_deliveries
from webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db


def client_of(role: str, someone: Person | None = None) -> APIClient:
    token = issue_token(f"{role}-reader", role, someone.external_id if someone else "")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def energy_rows(client: APIClient, run: MiningRun, scope: str) -> dict[str, dict[str, Any]]:
    metric = "energy" if scope == "context" else "viability"
    response = client.get(f"/api/v1/runs/{run.pk}/metrics/?scope={scope}&metric={metric}")
    assert response.status_code == 200, response.content
    return {row["subject"]: row for row in response.json()["results"]}


def test_a_context_and_the_same_context_minus_one_person_are_not_both_released() -> None:
    planted = overlapping_groups()
    rows = energy_rows(client_of("manager", planted.manager), planted.run, "context")
    assert rows["team:Core"] == {**rows["team:Core"], "withheld": False, "value": 6.0}
    # Core minus "Core minus one" would be M's own figures: the smaller group is withheld.
    assert rows["project:Core minus one"]["withheld"] is True
    assert rows["project:Core minus one"]["value"] is None


def test_a_context_one_person_larger_than_in_the_previous_run_is_withheld() -> None:
    planted = growing_team()
    manager = client_of("manager", planted.manager)
    assert energy_rows(manager, planted.before, "context")["team:Core"]["value"] == 6.0
    after = energy_rows(manager, planted.after, "context")["team:Core"]
    assert after["withheld"] is True  # run 2 minus run 1 would be P6's own figures
    assert after["value"] is None


def test_org_metrics_of_an_org_under_five_people_are_withheld_in_the_api() -> None:
    manager, *_ = team_of(person("M"), 3)  # four people
    run = run_measuring(END, 4, {})
    (row,) = energy_rows(client_of("manager", manager), run, "org").values()
    assert row == {
        "scope": "org",
        "subject": "org",
        "metric": "viability",
        "value": None,
        "withheld": True,
    }
    (row,) = energy_rows(client_of("hr_admin"), run, "org").values()
    assert row["value"] == 60.0  # HR admins read withheld aggregates (docs/api.md)


def test_webhooks_do_not_send_group_findings_of_a_withheld_context() -> None:
    planted = overlapping_groups()
    for context in (planted.team, planted.subset):
        Finding.objects.create(
            run=planted.run, pattern="silo", severity="warning", context=context, sensitive=False
        )
    Webhook.objects.create(url="https://hooks.example.org/sociograph", patterns=["silo"])
    queue_deliveries(planted.run)
    sent = WebhookDelivery.objects.values_list("finding__context", flat=True)
    assert list(sent) == [planted.team.pk]
    assert not Context.objects.filter(pk__in=sent, name="Core minus one").exists()
