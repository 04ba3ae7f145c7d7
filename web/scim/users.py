"""A person as a SCIM User, and a SCIM User as the description people.provisioning stores.

Read: externalId, userName, displayName or name (formatted, else given and family names), the
primary e-mail address, title, active, and the enterprise extension's manager. Everything else an
identity provider sends (phone numbers, addresses, photos, groups, passwords...) is never read."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from rest_framework.request import Request

from people.models import Person
from people.provisioning import ProvisionedPerson, user_name_of
from web.scim.errors import invalid_value
from web.scim.schemas import ENTERPRISE_USER, USER

MAX_LENGTHS = {"externalId": 100, "name": 200, "title": 200, "userName": 320}


def user_location(request: Request, person: Person) -> str:
    return request.build_absolute_uri(reverse("scim:user", args=[person.uuid]))


def user_resource(request: Request, person: Person) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "schemas": [USER, ENTERPRISE_USER],
        "id": str(person.uuid),
        "externalId": person.external_id,
        "userName": user_name_of(person),
        "name": {"formatted": person.name},
        "displayName": person.name,
        "active": person.is_active,
        "meta": {
            "resourceType": "User",
            "created": person.created_at.isoformat(),
            "lastModified": person.updated_at.isoformat(),
            "location": user_location(request, person),
        },
    }
    if person.title:
        resource["title"] = person.title
    if person.email:
        resource["emails"] = [{"value": person.email, "type": "work", "primary": True}]
    manager = {"manager": _manager(request, person)} if _has_manager(person) else {}
    resource[ENTERPRISE_USER] = manager
    return resource


def _has_manager(person: Person) -> bool:
    return person.manager_id is not None or hasattr(person, "pending_manager")


def _manager(request: Request, person: Person) -> dict[str, Any]:
    manager = person.manager
    if manager is None:  # not provisioned yet: the reference as the identity provider sent it
        return {"value": person.pending_manager.manager_external_id}
    return {
        "value": str(manager.uuid),
        "$ref": user_location(request, manager),
        "displayName": manager.name,
    }


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid_value(f"{key} must be a string.")
    value = value.strip()
    if len(value) > MAX_LENGTHS.get(key, 200):
        raise invalid_value(f"{key} is longer than {MAX_LENGTHS.get(key, 200)} characters.")
    return value


def _boolean(value: Any) -> bool:
    """SCIM booleans; Entra sends "True" and "False" as strings in PATCH."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise invalid_value("active must be true or false.")


def _name(data: dict[str, Any]) -> str:
    name = data.get("name")
    name = name if isinstance(name, dict) else {}
    given = " ".join(_text(name, key) for key in ("givenName", "familyName") if name.get(key))
    chosen = _text(data, "displayName") or _text(name, "formatted") or given.strip()
    if len(chosen) > MAX_LENGTHS["name"]:
        raise invalid_value("The name is longer than 200 characters.")
    return chosen or _text(data, "userName")


def _email(data: dict[str, Any]) -> str:
    emails = [item for item in data.get("emails") or [] if isinstance(item, dict)]
    if not isinstance(data.get("emails") or [], list):
        raise invalid_value("emails must be a list.")
    chosen = next((e for e in emails if e.get("primary") is True), None)
    chosen = chosen or next((e for e in emails if e.get("type") == "work"), None)
    chosen = chosen or (emails[0] if emails else {})
    address = _text(chosen, "value")
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise invalid_value(f"{address!r} is not an e-mail address.") from None
    return address


def _manager_reference(data: dict[str, Any]) -> str:
    extension = data.get(ENTERPRISE_USER) or {}
    if not isinstance(extension, dict):
        raise invalid_value(f"{ENTERPRISE_USER} must be an object.")
    manager = extension.get("manager")
    if isinstance(manager, dict):
        manager = manager.get("value")
    if manager is None:
        return ""
    if not isinstance(manager, str):
        raise invalid_value("manager.value must be a string.")
    return manager.strip()


def provisioned_person(data: dict[str, Any]) -> ProvisionedPerson:
    """The User in `data` (a POST or PUT body, or a resource after PATCH operations)."""
    user_name = _text(data, "userName")
    if not user_name:
        raise invalid_value("userName is required.")
    external_id = _text(data, "externalId") or user_name
    if len(external_id) > MAX_LENGTHS["externalId"]:
        raise invalid_value("externalId (by default the userName) is longer than 100 characters.")
    return ProvisionedPerson(
        external_id=external_id,
        user_name=user_name,
        name=_name(data),
        email=_email(data),
        title=_text(data, "title"),
        active=_boolean(data.get("active", True)),
        manager=_manager_reference(data),
    )
