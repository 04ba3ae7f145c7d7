"""The discovery endpoints an identity provider reads first (RFC 7644 section 4)."""

from __future__ import annotations

import pytest
from scim2_models import Context, ResourceType, Schema, ServiceProviderConfig

from tests.support.scim import ENTERPRISE, GROUP, USER, ScimClient, valid_list

pytestmark = pytest.mark.django_db


def test_service_provider_config(idp: ScimClient) -> None:
    response = idp.get("ServiceProviderConfig")
    config = ServiceProviderConfig.model_validate(
        response.json(), scim_ctx=Context.RESOURCE_QUERY_RESPONSE
    )
    assert config.patch
    assert config.patch.supported is True
    assert config.bulk
    assert config.bulk.supported is False
    assert config.filter
    assert config.filter.supported is True


def test_resource_types(idp: ScimClient) -> None:
    listed = valid_list(idp.get("ResourceTypes"), ResourceType)
    assert sorted(r.id for r in (listed.resources or [])) == ["Group", "User"]
    user = ResourceType.model_validate(idp.get("ResourceTypes/User").json())
    assert user.schema_ == USER


def test_schemas(idp: ScimClient) -> None:
    listed = valid_list(idp.get("Schemas"), Schema)
    assert {s.id for s in (listed.resources or [])} == {USER, GROUP, ENTERPRISE}
    user = Schema.model_validate(idp.get(f"Schemas/{USER}").json())
    assert "userName" in [a.name for a in user.attributes or []]
