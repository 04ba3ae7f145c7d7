"""Writes made in the admin reach Neo4j through the outbox, cascades included."""

import pytest
from django.test import Client

from people.models import Context, Person
from recognition.models import Follow, Recognition
from sociograph.graph import reconcile, relay
from sociograph.graph.models import OutboxEntry

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]


def assert_no_drift() -> None:
    assert [d.describe() for d in reconcile.compare_all() if d.drifted] == []


def test_a_recognition_added_in_the_admin_is_projected(admin_client: Client) -> None:
    people = {p.external_id: p.pk for p in Person.objects.all()}
    response = admin_client.post(
        "/admin/recognition/recognition/add/",
        {
            "giver": people["E3"],
            "receiver": people["E4"],
            "message": "Great pairing session",
            "values": "[]",
            "affect": "0.7",
            "at_0": "2026-10-01",
            "at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Recognition.objects.count() == 1
    assert OutboxEntry.objects.filter(entity="recognition").exists()
    relay.relay(wait_seconds=30)
    assert_no_drift()


def test_deleting_a_context_in_the_admin_removes_its_follows_from_neo4j(
    admin_client: Client,
) -> None:
    platform = Context.objects.get(kind="team", name="Platform")
    people = {p.external_id: p for p in Person.objects.all()}
    Follow.objects.create(
        follower=people["E3"], leader=people["E2"], context=platform, since="2026-09-01T00:00Z"
    )
    reconcile.queue_repairs(reconcile.compare_all())
    relay.relay(wait_seconds=30)
    response = admin_client.post(f"/admin/people/context/{platform.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Follow.objects.exists()
    relay.relay(wait_seconds=30)
    assert_no_drift()


def test_deleting_a_person_in_the_admin_erases_them_from_neo4j(admin_client: Client) -> None:
    bea = Person.objects.get(external_id="E2")
    response = admin_client.post(f"/admin/people/person/{bea.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert Person.objects.get(external_id="E3").manager is None
    relay.relay(wait_seconds=30)
    assert_no_drift()
