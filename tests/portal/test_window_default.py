"""The portal states the defaults it works with from where they are defined."""

from __future__ import annotations

import pytest
from django.test import Client

from analytics.services import DEFAULT_WINDOW_DAYS
from tests.support.portal import leadership_url


@pytest.mark.django_db
def test_before_any_run_the_leadership_page_names_the_default_window(
    planted_org: None, hr: Client
) -> None:
    text = " ".join(hr.get(leadership_url("community:Guild")).text.split())
    assert f"recognitions of the last {DEFAULT_WINDOW_DAYS} days." in text
