"""The admin and the API write through the services: the same loop and period checks, and every
delete reaches Neo4j through the outbox."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from people.models import Context, Membership, Person
from people.services import PARENT_LOOP, REPORTING_LOOP, add_membership, update_context
from recognition.models import Follow, Interaction, Recognition
from recognition.services import save_event
from sociograph.graph import reconcile, relay
from sociograph.graph.models import OutboxEntry

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]

INLINE = "memberships"
AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def in_outbox(entity: str, uuid: object) -> bool:
    return any(str(uuid) in entry.uuids for entry in OutboxEntry.objects.filter(entity=entity))


def projected_counts() -> dict[str, tuple[int, int]]:
    """Entity -> (rows in SQL, nodes or edges in Neo4j), after checking nothing drifted."""
    drifts = reconcile.compare_all()
    assert [d.describe() for d in drifts if d.drifted] == []
    return {d.entity: (d.sql_count, d.graph_count) for d in drifts}


def form_errors(response: TestResponse) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    return dict(response.context["adminform"].form.errors)


def person_form(person: Person, **changes: object) -> dict[str, Any]:
    """The admin's change form of `person` as stored (no membership rows shown), with changes."""
    fields = {
        "external_id": person.external_id,
        "name": person.name,
        "email": person.email,
        "title": person.title,
        "manager": person.manager_id or "",
        "is_active": "on" if person.is_active else "",
        f"{INLINE}-TOTAL_FORMS": "0",
        f"{INLINE}-INITIAL_FORMS": "0",
        f"{INLINE}-MIN_NUM_FORMS": "0",
        f"{INLINE}-MAX_NUM_FORMS": "1000",
    }
    return {**fields, **changes}


def hr_api() -> APIClient:
    out = io.StringIO()
    call_command("issue_token", "hr-api", "--role", "hr_admin", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip().splitlines()[-1]}")
    return client


def people() -> dict[str, Person]:
    return {person.external_id: person for person in Person.objects.all()}


def some_events() -> tuple[Recognition, Follow, Interaction]:
    """One event of each kind, stored and projected."""
    by_id, platform = people(), Context.objects.get(name="Platform")
    recognition = save_event(Recognition(giver=by_id["E3"], receiver=by_id["E4"], at=AT))
    follow = save_event(
        Follow(follower=by_id["E3"], leader=by_id["E2"], context=platform, since=AT)
    )
    interaction = save_event(Interaction(source=by_id["E4"], target=by_id["E3"], at=AT))
    relay.relay(wait_seconds=30)
    return recognition, follow, interaction


def test_a_reporting_loop_entered_in_the_admin_is_refused_on_the_manager_field(
    admin_client: Client,
) -> None:
    bea, cai = Person.objects.get(external_id="E2"), Person.objects.get(external_id="E3")
    assert cai.manager == bea
    entries = OutboxEntry.objects.count()
    response = admin_client.post(
        f"/admin/people/person/{bea.pk}/change/", person_form(bea, manager=cai.pk)
    )
    assert form_errors(response) == {"manager": [REPORTING_LOOP]}
    bea.refresh_from_db()
    assert bea.manager == Person.objects.get(external_id="E1")
    assert OutboxEntry.objects.count() == entries


def test_a_manager_two_levels_down_is_a_loop_too_and_a_valid_manager_is_saved(
    admin_client: Client,
) -> None:
    ada, dee = Person.objects.get(external_id="E1"), Person.objects.get(external_id="E4")
    url = f"/admin/people/person/{ada.pk}/change/"
    refused = admin_client.post(url, person_form(ada, manager=dee.pk))  # E1 > E2 > E4
    assert form_errors(refused) == {"manager": [REPORTING_LOOP]}
    eli = Person.objects.get(external_id="E5")
    saved = admin_client.post(
        f"/admin/people/person/{dee.pk}/change/", person_form(dee, manager=eli.pk)
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    dee.refresh_from_db()
    assert dee.manager == eli
    assert in_outbox("person", dee.uuid)
    relay.relay(wait_seconds=30)
    projected_counts()


def test_a_parent_loop_entered_in_the_admin_is_refused_on_the_parent_field(
    admin_client: Client,
) -> None:
    platform = Context.objects.get(kind="team", name="Platform")
    leadership = Context.objects.get(kind="team", name="Leadership")
    update_context(platform, {"parent": leadership})
    entries = OutboxEntry.objects.count()
    form = {"kind": "team", "name": "Leadership", "parent": platform.pk}
    loop = admin_client.post(f"/admin/people/context/{leadership.pk}/change/", form)
    assert form_errors(loop) == {"parent": [PARENT_LOOP]}
    form = {"kind": "team", "name": "Platform", "parent": platform.pk}
    own_parent = admin_client.post(f"/admin/people/context/{platform.pk}/change/", form)
    assert form_errors(own_parent) == {"parent": [PARENT_LOOP]}
    leadership.refresh_from_db()
    assert leadership.parent is None
    assert OutboxEntry.objects.count() == entries


def test_contexts_added_and_changed_in_the_admin_are_projected(admin_client: Client) -> None:
    leadership = Context.objects.get(kind="team", name="Leadership")
    added = admin_client.post(
        "/admin/people/context/add/", {"kind": "project", "name": "Orbit", "parent": ""}
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    orbit = Context.objects.get(name="Orbit")
    assert in_outbox("context", orbit.uuid)
    form = {"kind": "project", "name": "Orbit", "parent": leadership.pk}
    changed = admin_client.post(f"/admin/people/context/{orbit.pk}/change/", form)
    assert changed.status_code == 302, changed.content.decode()[:2000]
    orbit.refresh_from_db()
    assert orbit.parent == leadership
    relay.relay(wait_seconds=30)
    assert projected_counts()["context"] == (6, 6)


def test_two_periods_swapping_their_dates_in_the_person_form_are_saved(
    admin_client: Client,
) -> None:
    dee, insights = Person.objects.get(external_id="E4"), Context.objects.get(name="Insights")
    first = add_membership(dee, insights, since=date(2020, 1, 1), until=date(2020, 12, 31))
    second = add_membership(dee, insights, since=date(2021, 1, 1), until=date(2021, 12, 31))
    form = person_form(dee)
    form.update({f"{INLINE}-TOTAL_FORMS": "2", f"{INLINE}-INITIAL_FORMS": "2"})
    swapped = [(first, "2021-01-01", "2021-12-31"), (second, "2020-01-01", "2020-12-31")]
    for index, (membership, since, until) in enumerate(swapped):
        prefix = f"{INLINE}-{index}"
        form.update({f"{prefix}-id": membership.pk, f"{prefix}-person": dee.pk})
        form.update({f"{prefix}-context": insights.pk, f"{prefix}-role": ""})
        form.update({f"{prefix}-since": since, f"{prefix}-until": until})
    response = admin_client.post(f"/admin/people/person/{dee.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    first.refresh_from_db()
    assert (first.since, first.until) == (date(2021, 1, 1), date(2021, 12, 31))
    relay.relay(wait_seconds=30)
    projected_counts()


def test_admin_deletes_reach_neo4j_through_the_outbox(admin_client: Client) -> None:
    recognition, follow, interaction = some_events()
    membership = Membership.objects.get(person__external_id="E4")
    before = projected_counts()
    pages = {
        "people/membership": membership.pk,
        "recognition/recognition": recognition.pk,
        "recognition/follow": follow.pk,
    }
    for page, pk in pages.items():
        response = admin_client.post(f"/admin/{page}/{pk}/delete/", {"post": "yes"})
        assert response.status_code == 302
    bulk = {"action": "delete_selected", "_selected_action": [interaction.pk], "post": "yes"}
    assert admin_client.post("/admin/recognition/interaction/", bulk).status_code == 302
    deleted = {
        "membership": membership.uuid,
        "recognition": recognition.uuid,
        "follow": follow.uuid,
        "interaction": interaction.uuid,
    }
    for entity, uuid in deleted.items():
        assert in_outbox(entity, uuid), entity
    relay.relay(wait_seconds=30)
    after = projected_counts()
    for entity in ("membership", "recognition", "follow", "interaction"):
        assert after[entity] == (before[entity][0] - 1, before[entity][1] - 1), entity


def test_api_deletes_reach_neo4j_through_the_outbox(admin_client: Client) -> None:
    recognition, follow, interaction = some_events()
    membership = Membership.objects.get(person__external_id="E4")
    atlas = Context.objects.get(name="Atlas")
    before = projected_counts()
    api = hr_api()
    urls = [
        f"/api/v1/memberships/{membership.uuid}/",
        f"/api/v1/recognitions/{recognition.uuid}/",
        f"/api/v1/follows/{follow.uuid}/",
        f"/api/v1/interactions/{interaction.uuid}/",
        f"/api/v1/contexts/{atlas.uuid}/",
    ]
    for url in urls:
        assert api.delete(url).status_code == 204, url
    assert in_outbox("context", atlas.uuid)
    relay.relay(wait_seconds=30)
    after = projected_counts()
    for entity in ("recognition", "follow", "interaction"):
        assert after[entity] == (before[entity][0] - 1, before[entity][1] - 1), entity
    assert after["context"] == (before["context"][0] - 1, before["context"][1] - 1)
    # E4's Platform period and the Atlas periods of E3 and E5
    assert after["membership"] == (before["membership"][0] - 3, before["membership"][1] - 3)
