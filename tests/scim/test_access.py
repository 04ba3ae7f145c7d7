"""Only the scim role's bearer token opens /scim/v2/, and it opens nothing else."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.support.api import issue_token
from tests.support.scim import ScimClient, valid_error

pytestmark = pytest.mark.django_db


def test_without_a_token_is_401_with_the_scheme(idp: ScimClient) -> None:
    response = ScimClient(None).get("Users")
    valid_error(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"
    valid_error(ScimClient("not-a-token").get("Users"), 401)


@pytest.mark.parametrize("role", ["hr_admin", "integration"])
def test_other_roles_are_403(idp: ScimClient, role: str) -> None:
    valid_error(ScimClient(issue_token(f"{role}-user", role)).get("Users"), 403)


def test_the_scim_token_opens_nothing_of_the_rest_api(idp: ScimClient) -> None:
    token = idp.headers["Authorization"].split()[1]
    client = Client(headers={"Authorization": f"Token {token}"})
    for path in ("/api/v1/people/", "/api/v1/me/", "/api/v1/runs/", "/api/v1/contexts/"):
        assert client.get(path).status_code == 403, path


def test_the_token_keyword_is_not_accepted_by_scim(idp: ScimClient) -> None:
    token = idp.headers["Authorization"].split()[1]
    valid_error(ScimClient(token, keyword="Token").get("Users"), 401)
