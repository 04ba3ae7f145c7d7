"""The org-health report applies the release rule (analytics.release): of a context and the same
context minus one person, only one has figures."""

from __future__ import annotations

import re

import pytest

from reports.builder import render_html
from tests.support.release_scenarios import overlapping_groups

pytestmark = pytest.mark.django_db


def test_the_report_withholds_a_context_one_person_short_of_another() -> None:
    planted = overlapping_groups()
    html = render_html(planted.run)
    assert re.search(r"<tr><td>team:Core</td><td>6</td>", html)
    subset = re.search(r'<tr class="withheld"><td>project:Core minus one</td>(.*?)</tr>', html)
    assert subset is not None
    assert set(re.findall(r"<td>([^<]*)</td>", subset.group(1))) == {"withheld"}
