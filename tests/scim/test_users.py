"""SCIM Users (RFC 7644 sections 3.3-3.6): the request sequences of the RFC's examples and of
Okta's and Entra's provisioning, on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest

from people.models import IdentitySource, Person, PersonIdentity
from people.services import today
from sociograph.graph.models import OutboxEntry
from tests.support.scim import (
    ENTERPRISE,
    ScimClient,
    user_body,
    valid_error,
    valid_list,
    valid_user,
    with_manager,
)

pytestmark = pytest.mark.django_db

BJENSEN = user_body("bjensen@example.com", "bjensen", "Barbara", "Jensen", title="Tour Guide")


def created(idp: ScimClient, body: dict[str, object]) -> str:
    response = idp.post("Users", body)
    assert response.status_code == 201, response.content
    user = valid_user(response)
    assert response["Location"] == user.meta.location if user.meta else False
    return str(user.id)


def test_create_then_get_a_user_as_rfc_7644_shows(idp: ScimClient) -> None:
    identifier = created(idp, BJENSEN)
    user = valid_user(idp.get(f"Users/{identifier}"))
    assert (user.user_name, user.external_id, user.display_name) == (
        "bjensen@example.com",
        "bjensen",
        "Barbara Jensen",
    )
    assert user.active is True
    assert user.title == "Tour Guide"
    assert user.meta is not None
    assert user.meta.resource_type == "User"
    person = Person.objects.get(uuid=identifier)
    assert (person.external_id, person.name, person.email) == (
        "bjensen",
        "Barbara Jensen",
        "bjensen@example.com",
    )
    identities = set(PersonIdentity.objects.values_list("source", "identifier"))
    assert identities == {
        (IdentitySource.SCIM, "bjensen@example.com"),
        (IdentitySource.EMAIL, "bjensen@example.com"),
    }


def test_filters_by_user_name_case_insensitively_and_by_external_id(idp: ScimClient) -> None:
    created(idp, BJENSEN)
    created(idp, user_body("jsmith@example.com", "jsmith", "John", "Smith"))
    found = valid_list(idp.get("Users", filter='userName eq "BJensen@example.com"'))
    assert found.total_results == 1
    assert (found.resources or [])[0].external_id == "bjensen"
    found = valid_list(idp.get("Users", filter='externalId eq "jsmith"'))
    assert [r.user_name for r in (found.resources or [])] == ["jsmith@example.com"]
    assert valid_list(idp.get("Users", filter='userName eq "nobody"')).total_results == 0


def test_user_name_filter_finds_a_person_hr_imported_by_email(idp: ScimClient) -> None:
    Person.objects.create(external_id="E1", name="Ada Kerr", email="ada@example.org")
    found = valid_list(idp.get("Users", filter='userName eq "ADA@example.org"'))
    assert [r.external_id for r in (found.resources or [])] == ["E1"]


def test_pagination_with_start_index_and_count(idp: ScimClient) -> None:
    for number in range(5):
        created(idp, user_body(f"u{number}@example.com", f"u{number}", "U", str(number)))
    page = valid_list(idp.get("Users", startIndex="2", count="2"))
    assert (page.total_results, page.start_index, page.items_per_page) == (5, 2, 2)
    assert [r.external_id for r in (page.resources or [])] == ["u1", "u2"]


@pytest.mark.parametrize(
    "text", ['userName sw "b"', 'title eq "x"', "userName eq bjensen", 'userName eq "a" or x']
)
def test_other_filters_are_an_invalid_filter_error(idp: ScimClient, text: str) -> None:
    valid_error(idp.get("Users", filter=text), 400, "invalidFilter")


def test_put_replaces_the_user(idp: ScimClient) -> None:
    identifier = created(idp, BJENSEN)
    body = user_body("bjensen@example.com", "bjensen", "Babs", "Jensen-Smith")
    user = valid_user(idp.put(f"Users/{identifier}", body))
    assert user.display_name == "Babs Jensen-Smith"
    assert user.title is None  # not in the replacement: cleared
    assert Person.objects.get(uuid=identifier).title == ""


def test_patch_add_replace_and_remove_with_paths(idp: ScimClient) -> None:
    identifier = created(idp, BJENSEN)
    response = idp.patch(
        f"Users/{identifier}",
        {"op": "replace", "path": "title", "value": "Head Guide"},
        {"op": "add", "path": 'emails[type eq "work"].value', "value": "babs@example.com"},
        {"op": "replace", "path": "name.familyName", "value": "Jensen-Smith"},
        {"op": "replace", "path": "name.givenName", "value": "Babs"},
    )
    assert response.status_code == 200, response.content
    user = valid_user(response)
    assert (user.title, user.display_name) == ("Head Guide", "Babs Jensen-Smith")
    assert user.emails
    assert user.emails[0].value == "babs@example.com"
    user = valid_user(idp.patch(f"Users/{identifier}", {"op": "remove", "path": "title"}))
    assert user.title is None
    # the earlier address stays an identity of the person (past events name them by it)
    assert PersonIdentity.objects.filter(source="email").count() == 2


def test_okta_deactivates_with_a_value_object(idp: ScimClient) -> None:
    identifier = created(idp, BJENSEN)
    user = valid_user(
        idp.patch(f"Users/{identifier}", {"op": "replace", "value": {"active": False}})
    )
    assert user.active is False
    person = Person.objects.get(uuid=identifier)
    assert (person.left_on, person.is_active) == (today(), False)
    user = valid_user(
        idp.patch(f"Users/{identifier}", {"op": "replace", "value": {"active": True}})
    )
    person.refresh_from_db()
    assert user.active is True
    assert (person.left_on, person.is_active) == (None, True)  # rehired


def test_entra_patches_with_capitalized_ops_string_booleans_and_the_manager_path(
    idp: ScimClient,
) -> None:
    boss = created(idp, user_body("boss@example.com", "boss", "Bo", "Ss"))
    identifier = created(idp, BJENSEN)
    response = idp.patch(
        f"Users/{identifier}",
        {"op": "Replace", "path": "displayName", "value": "Barbara J."},
        {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": boss},
        {"op": "Replace", "path": "active", "value": "False"},
    )
    user = valid_user(response)
    assert user.display_name == "Barbara J."
    assert user.active is False
    extension = user[ENTERPRISE]
    assert extension.manager.value == boss
    assert Person.objects.get(uuid=identifier).manager == Person.objects.get(uuid=boss)
    user = valid_user(
        idp.patch(f"Users/{identifier}", {"op": "Remove", "path": f"{ENTERPRISE}:manager"})
    )
    assert Person.objects.get(uuid=identifier).manager is None


def test_delete_deprovisions_and_keeps_the_person(idp: ScimClient) -> None:
    identifier = created(idp, BJENSEN)
    assert idp.delete(f"Users/{identifier}").status_code == 204
    person = Person.objects.get(uuid=identifier)
    assert (person.left_on, person.is_active) == (today(), False)
    assert valid_user(idp.get(f"Users/{identifier}")).active is False


def test_a_departure_hr_dated_earlier_stays_and_one_to_come_is_kept_while_active(
    idp: ScimClient,
) -> None:
    identifier = created(idp, BJENSEN)
    later = today() + timedelta(days=30)
    Person.objects.filter(uuid=identifier).update(left_on=later)
    idp.put(f"Users/{identifier}", BJENSEN)
    assert Person.objects.get(uuid=identifier).left_on == later


def test_unknown_ids_are_404(idp: ScimClient) -> None:
    for method, path in [
        ("GET", "Users/nope"),
        ("DELETE", "Users/8c5e1a9e-0000-4000-8000-000000000000"),
    ]:
        valid_error(idp.send(method, path), 404)
    valid_error(idp.put("Users/nope", BJENSEN), 404)
    valid_error(idp.get("Nothing/here"), 404)


def test_duplicate_user_name_or_external_id_is_a_uniqueness_conflict(idp: ScimClient) -> None:
    created(idp, BJENSEN)
    valid_error(idp.post("Users", BJENSEN), 409, "uniqueness")
    other = user_body("BJENSEN@example.com", "someone-else", "B", "J")
    valid_error(idp.post("Users", other), 409, "uniqueness")
    other = user_body("other@example.com", "bjensen", "B", "J")
    valid_error(idp.post("Users", other), 409, "uniqueness")


@pytest.mark.parametrize(
    "change",
    [
        {"userName": ""},
        {"active": "maybe"},
        {"emails": [{"value": "not an address", "primary": True}]},
        {"externalId": "x" * 101},
    ],
)
def test_invalid_values_are_400(idp: ScimClient, change: dict[str, object]) -> None:
    valid_error(idp.post("Users", {**BJENSEN, **change}), 400, "invalidValue")


def test_malformed_bodies_are_invalid_syntax(idp: ScimClient) -> None:
    response = idp.client.post(
        "/scim/v2/Users", "{", content_type="application/scim+json", headers=idp.headers
    )
    valid_error(response, 400, "invalidSyntax")
    identifier = created(idp, BJENSEN)
    valid_error(idp.send("PATCH", f"Users/{identifier}", {"Operations": []}), 400, "invalidSyntax")
    valid_error(
        idp.patch(f"Users/{identifier}", {"op": "move", "path": "title"}), 400, "invalidValue"
    )


def test_a_manager_provisioned_after_the_report(idp: ScimClient) -> None:
    report = created(idp, with_manager(BJENSEN, "boss"))
    user = valid_user(idp.get(f"Users/{report}"))
    assert user[ENTERPRISE].manager.value == "boss"
    assert Person.objects.get(uuid=report).manager is None
    boss = created(idp, user_body("boss@example.com", "boss", "Bo", "Ss"))
    person = Person.objects.get(uuid=report)
    assert person.manager is not None
    assert str(person.manager.uuid) == boss
    user = valid_user(idp.get(f"Users/{report}"))
    assert user[ENTERPRISE].manager.value == boss
    assert not hasattr(Person.objects.get(uuid=report), "pending_manager")


def test_a_reporting_loop_is_refused(idp: ScimClient) -> None:
    boss = created(idp, user_body("boss@example.com", "boss", "Bo", "Ss"))
    report = created(idp, with_manager(BJENSEN, boss))
    response = idp.put(
        f"Users/{boss}", with_manager(user_body("boss@example.com", "boss", "Bo", "Ss"), report)
    )
    error = valid_error(response, 400, "invalidValue")
    assert "reporting loop" in (error.detail or "")
    assert Person.objects.get(uuid=boss).manager is None


def test_a_loop_closed_by_a_waiting_report_is_refused(idp: ScimClient) -> None:
    created(idp, with_manager(BJENSEN, "boss"))
    body = with_manager(user_body("boss@example.com", "boss", "Bo", "Ss"), "bjensen")
    valid_error(idp.post("Users", body), 400, "invalidValue")
    assert not Person.objects.filter(external_id="boss").exists()


def test_re_provisioning_changes_nothing(idp: ScimClient) -> None:
    boss = created(idp, user_body("boss@example.com", "boss", "Bo", "Ss"))
    identifier = created(idp, with_manager(BJENSEN, boss))
    before = Person.objects.get(uuid=identifier)
    entries = OutboxEntry.objects.count()
    for _ in range(2):
        valid_user(idp.put(f"Users/{identifier}", with_manager(BJENSEN, boss)))
        idp.patch(f"Users/{identifier}", {"op": "replace", "value": {"active": True}})
    after = Person.objects.get(uuid=identifier)
    assert after.updated_at == before.updated_at
    assert OutboxEntry.objects.count() == entries
    assert PersonIdentity.objects.filter(person=after).count() == 2
