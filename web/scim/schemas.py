"""The schema URNs, and the discovery documents (RFC 7644 section 4): ServiceProviderConfig,
ResourceTypes and Schemas, describing only what this server reads and writes."""

from __future__ import annotations

from typing import Any

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def service_provider_config(location: str) -> dict[str, Any]:
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": 200},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token of the scim role: manage.py issue_token NAME --role scim",
                "primary": True,
            }
        ],
        "meta": {"resourceType": "ServiceProviderConfig", "location": location},
    }


def resource_types(base: str) -> list[dict[str, Any]]:
    user = {
        "schemas": [RESOURCE_TYPE],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "A person",
        "schema": USER,
        "schemaExtensions": [{"schema": ENTERPRISE_USER, "required": False}],
        "meta": {"resourceType": "ResourceType", "location": f"{base}ResourceTypes/User"},
    }
    group = {
        "schemas": [RESOURCE_TYPE],
        "id": "Group",
        "name": "Group",
        "endpoint": "/Groups",
        "description": "A team, project or community on the allow-list (other groups: none)",
        "schema": GROUP,
        "meta": {"resourceType": "ResourceType", "location": f"{base}ResourceTypes/Group"},
    }
    return [user, group]


def _attribute(name: str, kind: str = "string", **options: Any) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    }
    attribute.update(options)
    if kind == "complex":
        attribute.pop("caseExact")
    return attribute


def _sub(*names: str) -> list[dict[str, Any]]:
    return [_attribute(name) for name in names]


USER_ATTRIBUTES = [
    _attribute("userName", required=True, uniqueness="server"),
    _attribute("name", "complex", subAttributes=_sub("formatted", "givenName", "familyName")),
    _attribute("displayName"),
    _attribute("title"),
    _attribute("active", "boolean"),
    _attribute(
        "emails",
        "complex",
        multiValued=True,
        subAttributes=[*_sub("value", "type"), _attribute("primary", "boolean")],
    ),
]
GROUP_ATTRIBUTES = [
    _attribute("displayName", required=True),
    _attribute(
        "members",
        "complex",
        multiValued=True,
        subAttributes=[
            _attribute("value", mutability="immutable"),
            _attribute("display", mutability="readOnly"),
        ],
    ),
]
ENTERPRISE_ATTRIBUTES = [
    _attribute(
        "manager",
        "complex",
        subAttributes=[_attribute("value"), _attribute("displayName", mutability="readOnly")],
    )
]
DESCRIBED = (
    (USER, "User", "A person", USER_ATTRIBUTES),
    (GROUP, "Group", "A context on the allow-list", GROUP_ATTRIBUTES),
    (ENTERPRISE_USER, "EnterpriseUser", "The reporting line", ENTERPRISE_ATTRIBUTES),
)


def schemas(base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [SCHEMA],
            "id": urn,
            "name": name,
            "description": description,
            "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": f"{base}Schemas/{urn}"},
        }
        for urn, name, description, attributes in DESCRIBED
    ]
