"""Provisioning reaches Neo4j through the outbox: a deprovisioned person stays, not active, with
their reporting line."""

from __future__ import annotations

import pytest

from people.services import today
from sociograph.graph import gateway, relay
from sociograph.graph.cypher import probe
from tests.support.scim import ScimClient, user_body, with_manager

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]


def test_deprovisioning_keeps_the_person_in_the_graph_not_active(idp: ScimClient) -> None:
    idp.post("Users", with_manager(user_body("ann@example.com", "ann", "Ann", "Doe"), "boss"))
    idp.post("Users", user_body("boss@example.com", "boss", "Bo", "Ss"))
    relay.relay(wait_seconds=30)
    assert gateway.read(probe.PERSON_STATE, external_id="ann") == [
        {"active": True, "left_on": None, "manager": "boss"}
    ]
    found = idp.get("Users", filter='externalId eq "ann"').json()["Resources"][0]
    assert idp.delete(f"Users/{found['id']}").status_code == 204
    relay.relay(wait_seconds=30)
    assert gateway.read(probe.PERSON_STATE, external_id="ann") == [
        {"active": False, "left_on": today().isoformat(), "manager": "boss"}
    ]
