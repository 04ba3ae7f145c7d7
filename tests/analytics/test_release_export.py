"""The export path applies the release rule (analytics.release)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tests.support.release_scenarios import overlapping_groups

pytestmark = pytest.mark.django_db


def test_export_metrics_leaves_out_what_the_release_rule_withholds() -> None:
    planted = overlapping_groups()
    out, err = io.StringIO(), io.StringIO()
    call_command("export_metrics", "--run", str(planted.run.pk), stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert "context,team:Core,energy,6" in lines
    assert not [line for line in lines if "Core minus one" in line]
    assert "withheld the metrics of 1 context(s) by the release rule" in err.getvalue()
