"""SCIM Groups: allow-listed groups are contexts and their members memberships with dates;
access groups are acknowledged and never stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from scim2_models import Group

from people.models import Context, Membership, Person
from people.services import today
from tests.support.scim import GROUP, ScimClient, user_body, valid_error, valid_group, valid_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(idp: ScimClient) -> dict[str, str]:
    """Three provisioned users: external id -> SCIM id."""
    ids = {}
    for key in ("ann", "bob", "cy"):
        response = idp.post("Users", user_body(f"{key}@example.com", key, key.title(), "Doe"))
        ids[key] = response.json()["id"]
    return ids


def members(context: Context) -> dict[str, tuple[object, object]]:
    rows = Membership.objects.filter(context=context).order_by("pk")
    return {m.person.external_id: (m.since, m.until) for m in rows}


def group_body(name: str, *member_ids: str) -> dict[str, object]:
    return {"schemas": [GROUP], "displayName": name, "members": [{"value": i} for i in member_ids]}


def test_create_an_allowed_group_with_members(idp: ScimClient, people: dict[str, str]) -> None:
    response = idp.post("Groups", group_body("Platform Team", people["ann"], people["bob"]))
    assert response.status_code == 201, response.content
    group = valid_group(response)
    context = Context.objects.get(uuid=str(group.id))
    assert context.key == "team:Platform"
    assert members(context) == {"ann": (today(), None), "bob": (today(), None)}
    fetched = valid_group(idp.get(f"Groups/{group.id}"))
    assert fetched.display_name == "Platform Team"
    assert sorted(str(m.value) for m in fetched.members or []) == sorted(
        [people["ann"], people["bob"]]
    )
    listed = valid_list(idp.get("Groups", filter='displayName eq "Platform Team"'), Group)
    assert [g.id for g in (listed.resources or [])] == [group.id]
    listed = valid_list(idp.get("Groups", excludedAttributes="members"), Group)
    assert (listed.resources or [])[0].members is None
    valid_error(idp.post("Groups", group_body("Platform Team")), 409, "uniqueness")


def test_an_access_group_never_becomes_a_context(idp: ScimClient, people: dict[str, str]) -> None:
    response = idp.post("Groups", group_body("VPN Users", people["ann"]))
    assert response.status_code == 201
    group = valid_group(response)
    assert group.members == []
    assert not Context.objects.exists()
    assert not Membership.objects.exists()
    assert (
        idp.patch(
            f"Groups/{group.id}",
            {"op": "add", "path": "members", "value": [{"value": people["bob"]}]},
        ).status_code
        == 204
    )
    assert (
        valid_group(idp.put(f"Groups/{group.id}", group_body("VPN Users", people["cy"]))).members
        == []
    )
    assert idp.delete(f"Groups/{group.id}").status_code == 204
    valid_error(idp.get(f"Groups/{group.id}"), 404)
    assert (
        valid_list(idp.get("Groups", filter='displayName eq "VPN Users"'), Group).total_results == 0
    )
    assert not Context.objects.exists()
    assert not Membership.objects.exists()


def test_okta_patches_members_add_and_remove_by_filter(
    idp: ScimClient, people: dict[str, str]
) -> None:
    group = valid_group(idp.post("Groups", group_body("Python Guild", people["ann"])))
    context = Context.objects.get(uuid=str(group.id))
    Membership.objects.filter(context=context).update(since=today() - timedelta(days=10))
    response = idp.patch(
        f"Groups/{group.id}",
        {"op": "add", "path": "members", "value": [{"value": people["bob"], "display": "Bob"}]},
        {"op": "remove", "path": f'members[value eq "{people["ann"]}"]'},
    )
    assert response.status_code == 204, response.content
    yesterday = today() - timedelta(days=1)
    assert members(context) == {
        "ann": (today() - timedelta(days=10), yesterday),  # the period ended
        "bob": (today(), None),
    }


def test_entra_patches_members_with_value_arrays(idp: ScimClient, people: dict[str, str]) -> None:
    group = valid_group(idp.post("Groups", group_body("Platform Team")))
    context = Context.objects.get(uuid=str(group.id))
    idp.patch(
        f"Groups/{group.id}",
        {
            "op": "Add",
            "path": "members",
            "value": [{"value": people["ann"]}, {"value": people["cy"]}],
        },
    )
    assert set(members(context)) == {"ann", "cy"}
    idp.patch(
        f"Groups/{group.id}",
        {"op": "Remove", "path": "members", "value": [{"value": people["cy"]}]},
    )
    assert set(members(context)) == {"ann"}  # cy's period started today: removed, not ended


def test_put_replaces_the_members_and_a_rename_elsewhere_is_refused(
    idp: ScimClient, people: dict[str, str]
) -> None:
    group = valid_group(idp.post("Groups", group_body("Platform Team", people["ann"])))
    replaced = valid_group(
        idp.put(f"Groups/{group.id}", group_body("Platform Team", people["bob"]))
    )
    assert [m.value for m in replaced.members or []] == [people["bob"]]
    response = idp.patch(
        f"Groups/{group.id}", {"op": "replace", "value": {"displayName": "Admins"}}
    )
    valid_error(response, 400, "mutability")
    unknown = "8c5e1a9e-0000-4000-8000-000000000000"
    valid_error(
        idp.put(f"Groups/{group.id}", group_body("Platform Team", unknown)), 400, "invalidValue"
    )


def test_delete_ends_the_memberships_and_keeps_the_context(
    idp: ScimClient, people: dict[str, str]
) -> None:
    group = valid_group(idp.post("Groups", group_body("Platform Team", people["ann"])))
    context = Context.objects.get(uuid=str(group.id))
    Membership.objects.filter(context=context).update(since=today() - timedelta(days=3))
    assert idp.delete(f"Groups/{group.id}").status_code == 204
    assert members(context) == {"ann": (today() - timedelta(days=3), today() - timedelta(days=1))}
    assert Person.objects.count() == 3
    assert valid_group(idp.get(f"Groups/{group.id}")).members == []
