"""Groups of the identity provider that are contexts (SOCIOGRAPH_SCIM_GROUP_CONTEXTS, the
allow-list: group name -> `kind:name`), and a context as a SCIM Group.

Access groups ("VPN users", "Figma licence") are not teams: a group not on the allow-list is
answered as if stored and never stored. Its id is derived from its name, so that a PUT of it can
be answered; its members never become memberships."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from rest_framework.request import Request

from people.models import Context, parse_context_key
from people.selectors import members_in_force
from people.services import today
from web.scim.errors import invalid_value
from web.scim.schemas import GROUP

IGNORED_GROUPS = uuid.UUID("5b0c9a3e-2f43-4c55-9a51-0e3d1c7f6a10")  # namespace of their ids


def allow_list() -> dict[str, tuple[str, str]]:
    """Group name -> the (kind, name) of its context."""
    mapping: dict[str, tuple[str, str]] = {}
    for group, key in settings.SOCIOGRAPH_SCIM_GROUP_CONTEXTS.items():
        try:
            mapping[group] = parse_context_key(key)
        except ValueError as error:
            raise ImproperlyConfigured(f"SOCIOGRAPH_SCIM_GROUP_CONTEXTS: {error}") from None
    return mapping


def context_key_of(display_name: str) -> tuple[str, str] | None:
    return allow_list().get(display_name.strip())


def group_name_of(context: Context) -> str | None:
    """The group name the allow-list gives the context (the first, if several)."""
    return next(
        (group for group, key in allow_list().items() if key == (context.kind, context.name)),
        None,
    )


def ignored_group_id(display_name: str) -> str:
    return str(uuid.uuid5(IGNORED_GROUPS, display_name.strip()))


def display_name_in(data: dict[str, Any]) -> str:
    name = data.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise invalid_value("displayName is required.")
    return name.strip()


def member_ids_in(data: dict[str, Any]) -> list[str]:
    members = data.get("members") or []
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise invalid_value("members must be a list of objects with a value.")
    return [str(member.get("value", "")) for member in members]


def group_location(request: Request, identifier: str) -> str:
    return request.build_absolute_uri(reverse("scim:group", args=[identifier]))


def group_resource(
    request: Request, context: Context, display_name: str, with_members: bool = True
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "schemas": [GROUP],
        "id": str(context.uuid),
        "displayName": display_name,
        "meta": {
            "resourceType": "Group",
            "created": context.created_at.isoformat(),
            "lastModified": context.updated_at.isoformat(),
            "location": group_location(request, str(context.uuid)),
        },
    }
    if with_members:
        resource["members"] = [
            {
                "value": str(person.uuid),
                "display": person.name,
                "$ref": request.build_absolute_uri(reverse("scim:user", args=[person.uuid])),
            }
            for person in members_in_force(context, today())
        ]
    return resource


def ignored_group_resource(request: Request, display_name: str) -> dict[str, Any]:
    identifier = ignored_group_id(display_name)
    return {
        "schemas": [GROUP],
        "id": identifier,
        "displayName": display_name,
        "members": [],
        "meta": {"resourceType": "Group", "location": group_location(request, identifier)},
    }
