"""Running management commands in the tests, and checking that Neo4j matches SQL."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from sociograph.graph import reconcile


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def run_failing(command: str, *args: str) -> tuple[str, str]:
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(command, *args, stdout=out)
    return out.getvalue(), str(error.value)


def assert_no_drift() -> None:
    drifts = reconcile.compare_all()
    assert [d.describe() for d in drifts if d.drifted] == []
