"""The admin edits employment dates and membership periods with the services' rules."""

from datetime import date
from typing import Any

import pytest
from django.test import Client

from people.models import Context, Membership, Person
from sociograph.graph import reconcile, relay

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]

INLINE = "memberships"


def person_form(
    person: Person, periods: list[tuple[Membership | None, dict[str, Any]]]
) -> dict[str, Any]:
    form: dict[str, Any] = {
        "external_id": person.external_id,
        "name": person.name,
        "email": person.email,
        "title": person.title,
        "is_active": "on",
        "joined_on": "2020-01-01",
        "left_on": "2025-01-01",
        f"{INLINE}-TOTAL_FORMS": str(len(periods)),
        f"{INLINE}-INITIAL_FORMS": str(sum(1 for m, _ in periods if m is not None)),
        f"{INLINE}-MIN_NUM_FORMS": "0",
        f"{INLINE}-MAX_NUM_FORMS": "1000",
    }
    for index, (membership, values) in enumerate(periods):
        prefix = f"{INLINE}-{index}"
        form[f"{prefix}-person"] = str(person.pk)
        if membership is not None:
            form[f"{prefix}-id"] = str(membership.pk)
        form.update({f"{prefix}-{name}": value for name, value in values.items()})
    return form


def test_the_person_form_derives_is_active_and_refuses_overlapping_periods(
    admin_client: Client,
) -> None:
    person = Person.objects.get(external_id="E4")
    platform = Membership.objects.get(person=person)
    insights = Context.objects.get(name="Insights")
    existing = (platform, {"context": platform.context_id, "role": "", "since": "", "until": ""})
    overlapping = [
        existing,
        (None, {"context": platform.context_id, "role": "", "since": "2024-01-01", "until": ""}),
    ]
    url = f"/admin/people/person/{person.pk}/change/"
    refused = admin_client.post(url, person_form(person, overlapping))
    assert refused.status_code == 200
    assert (
        "overlaps the period with no start with no end in this context" in refused.content.decode()
    )
    ended = (platform, {**existing[1], "until": "2023-12-31"})
    periods = [ended, overlapping[1], (None, {"context": insights.pk, "since": "", "until": ""})]
    saved = admin_client.post(url, person_form(person, periods))
    assert saved.status_code == 302, saved.content.decode()[:3000]
    person.refresh_from_db()
    assert (person.left_on, person.is_active) == (date(2025, 1, 1), False)
    assert Membership.objects.filter(person=person).count() == 3
    relay.relay(wait_seconds=30)
    assert [d.describe() for d in reconcile.compare_all() if d.drifted] == []


def test_the_membership_form_refuses_an_overlapping_period(admin_client: Client) -> None:
    platform = Membership.objects.get(person__external_id="E4")
    response = admin_client.post(
        "/admin/people/membership/add/",
        {"person": platform.person_id, "context": platform.context_id, "since": "2024-01-01"},
    )
    assert response.status_code == 200
    assert "overlaps the period with no start with no end" in response.content.decode()
    assert Membership.objects.filter(person__external_id="E4").count() == 1
