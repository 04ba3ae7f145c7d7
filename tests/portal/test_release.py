"""The portal applies the release rule (analytics.release): of a context and the same context
minus one person, the contexts table and the leadership view show only one."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.support.release_scenarios import overlapping_groups

pytestmark = pytest.mark.django_db


def row_of(html: str, key: str) -> str:
    return html.split(f'<tr data-context="{key}"')[1].split("</tr>")[0]


def test_the_contexts_table_withholds_a_context_one_person_short_of_another(hr: Client) -> None:
    overlapping_groups()
    html = hr.get(reverse("portal:contexts")).text
    assert 'class="withheld-row"' not in row_of(html, "team:Core")
    assert re.search(r"6\.00", row_of(html, "team:Core"))  # its energy
    subset = row_of(html, "project:Core minus one")
    assert 'class="withheld-row"' in subset
    assert not re.search(r"\d\.\d\d", subset)


def test_the_leadership_view_of_a_withheld_context_is_withheld(hr: Client) -> None:
    planted = overlapping_groups()  # five members on the run's last day: enough on their own
    html = hr.get(reverse("portal:leadership", args=[planted.subset.pk])).text
    assert 'id="leadership-withheld"' in html
    html = hr.get(reverse("portal:leadership", args=[planted.team.pk])).text
    assert 'id="leadership-withheld"' not in html
