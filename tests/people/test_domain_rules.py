"""Pure rules of the people app: context keys and reporting loops."""

import pytest

from people.models import parse_context_key
from people.services import would_create_cycle


@pytest.mark.parametrize(
    ("text", "expected"),
    [("team:Platform", ("team", "Platform")), (" topic : a:b ", ("topic", "a:b"))],
)
def test_context_keys(text: str, expected: tuple[str, str]) -> None:
    assert parse_context_key(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Platform", "is not written kind:name"),
        ("team:", "is not written kind:name"),
        ("squad:Platform", "context kind 'squad' is not one of team, project, community, topic"),
    ],
)
def test_bad_context_keys(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_context_key(text)


def test_reporting_loops_are_detected() -> None:
    managers: dict[int, int | None] = {1: None, 2: 1, 3: 2}
    assert would_create_cycle(1, 3, managers)  # 1 -> 3 -> 2 -> 1
    assert not would_create_cycle(3, 1, managers)
    assert would_create_cycle(4, 4, managers)
