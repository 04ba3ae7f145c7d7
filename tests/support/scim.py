"""SCIM tests: a client of the scim role (a Bearer token from `issue_token`), the request
bodies identity providers send, and the SCIM JSON checked against scim2-models."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from scim2_models import Context, EnterpriseUser, Error, Group, ListResponse, User

from tests.support.api import issue_token

BASE = "/scim/v2/"
SCIM_JSON = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class ScimClient:
    """Requests as an identity provider sends them: `application/scim+json`, a Bearer token."""

    def __init__(self, token: str | None, keyword: str = "Bearer") -> None:
        self.client = Client()
        self.headers = {"Authorization": f"{keyword} {token}"} if token else {}

    def get(self, path: str, **params: str) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        call = getattr(self.client, method.lower())
        data = json.dumps(body) if body is not None else ""
        return call(BASE + path, data, content_type=SCIM_JSON, headers=self.headers)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.send("POST", path, body)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        return self.send("PUT", path, body)

    def patch(self, path: str, *operations: dict[str, Any]) -> Any:
        return self.send("PATCH", path, {"schemas": [PATCH_OP], "Operations": list(operations)})

    def delete(self, path: str) -> Any:
        return self.send("DELETE", path)


def scim_client(role: str = "scim", username: str = "okta") -> ScimClient:
    return ScimClient(issue_token(username, role))


def user_body(
    user_name: str, external_id: str, given: str, family: str, **extra: Any
) -> dict[str, Any]:
    """A User as RFC 7644 section 3.3 creates one, with a work e-mail address."""
    body: dict[str, Any] = {
        "schemas": [USER],
        "userName": user_name,
        "externalId": external_id,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
    }
    body.update(extra)
    return body


def with_manager(body: dict[str, Any], manager: str) -> dict[str, Any]:
    return {**body, "schemas": [USER, ENTERPRISE], ENTERPRISE: {"manager": {"value": manager}}}


def valid_user(response: Any) -> User[EnterpriseUser]:
    assert response["Content-Type"].startswith(SCIM_JSON), response["Content-Type"]
    return User[EnterpriseUser].model_validate(
        response.json(), scim_ctx=Context.RESOURCE_QUERY_RESPONSE
    )


def valid_group(response: Any) -> Group:
    return Group.model_validate(response.json(), scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


def valid_list(response: Any, resource: Any = None) -> ListResponse[Any]:
    """A ListResponse of `resource` (by default Users with the enterprise extension)."""
    resource = resource or User[EnterpriseUser]
    assert response.status_code == 200, response.content
    return ListResponse[resource].model_validate(response.json(), scim_ctx=Context.SEARCH_RESPONSE)


def valid_error(response: Any, status: int, scim_type: str | None = None) -> Error:
    assert response.status_code == status, (response.status_code, response.content)
    error = Error.model_validate(response.json())
    assert error.status == status
    assert error.scim_type == scim_type
    return error
