"""The Outcome admin: list, filters, and writes through outcomes.services (rules and key)."""

from __future__ import annotations

from datetime import date

import pytest

from outcomes.models import Outcome
from outcomes.services import OutcomeInput, outcome_key, record_outcomes
from people.models import Context, Person
from tests.support.users import client_of, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pulse_org")]
ADD = "/admin/outcomes/outcome/add/"


def _form(**fields: object) -> dict[str, object]:
    person = Person.objects.get(external_id="P1")
    base = {"kind": "wellbeing", "person": person.pk, "at": "2025-02-10", "value": "4"}
    return {**base, "scale_min": "1", "scale_max": "5", "metric": "", **fields}


def test_an_outcome_added_in_the_admin_gets_its_key() -> None:
    admin = client_of(user_with_role(None, superuser=True))
    response = admin.post(ADD, _form())
    assert response.status_code == 302, response.content
    stored = Outcome.objects.get()
    assert stored.outcome_key == outcome_key("wellbeing", "P1", date(2025, 2, 10), "", "")


def test_the_admin_form_applies_the_services_rules() -> None:
    admin = client_of(user_with_role(None, superuser=True))
    outside = admin.post(ADD, _form(value="9"))
    assert "9 is outside the scale 1-5" in outside.content.decode()
    alpha = Context.objects.get(name="Alpha").pk
    departure = admin.post(
        ADD, _form(kind="departure", value="", scale_min="", scale_max="", context=alpha)
    )
    assert "a departure has no context" in departure.content.decode()
    record_outcomes(
        [
            OutcomeInput(
                "wellbeing",
                date(2025, 2, 10),
                Person.objects.get(external_id="P1"),
                value=3,
                scale=(1, 5),
            )
        ]
    )
    duplicate = admin.post(ADD, _form())
    assert "already stored" in duplicate.content.decode()
    assert Outcome.objects.count() == 1


def test_the_list_filters_and_searches() -> None:
    record_outcomes(
        [
            OutcomeInput(
                "enps",
                date(2025, 2, 10),
                Person.objects.get(external_id="P2"),
                value=9,
                scale=(0, 10),
            )
        ]
    )
    admin = client_of(user_with_role(None, superuser=True))
    assert admin.get("/admin/outcomes/outcome/", {"kind": "enps", "q": "P2"}).status_code == 200
    deleted = admin.post(
        "/admin/outcomes/outcome/",
        {
            "action": "delete_selected",
            "_selected_action": [Outcome.objects.get().pk],
            "post": "yes",
        },
    )
    assert deleted.status_code == 302
    assert Outcome.objects.count() == 0
