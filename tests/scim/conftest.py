"""SCIM fixtures: the scim role's client and an allow-list of groups that are contexts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.scim import ScimClient, scim_client


@pytest.fixture
def idp(db: None, settings: Any) -> ScimClient:
    settings.SOCIOGRAPH_API_RATES = {"api": "1000000/min", "bulk": "1000000/min"}
    settings.SOCIOGRAPH_SCIM_GROUP_CONTEXTS = {
        "Platform Team": "team:Platform",
        "Python Guild": "community:Python Guild",
    }
    return scim_client()
