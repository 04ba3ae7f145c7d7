"""Pure rules of the domain: context keys, reporting loops, event identity, cell parsing."""

from datetime import UTC, datetime

import pytest

from people.models import parse_context_key
from people.services import would_create_cycle
from recognition.importers import RowError, parse_moment, parse_number
from recognition.services import event_key

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


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


def test_event_key_prefers_the_source_id() -> None:
    assert event_key("interaction", "ev-1", ("a",)) == event_key("interaction", "ev-1", ("b",))
    assert event_key("interaction", "ev-1", ()) != event_key("recognition", "ev-1", ())


def test_event_key_without_id_follows_the_content() -> None:
    assert event_key("follow", "", ("a", "b")) == event_key("follow", "", ("a", "b"))
    assert event_key("follow", "", ("a", "b")) != event_key("follow", "", ("a", "c"))
    assert event_key("follow", "", ("a", "b")) != event_key("follow", "x", ("a", "b"))


def test_moments() -> None:
    assert parse_moment("at", "2026-11-01T10:00:00Z", NOW) == datetime(2026, 11, 1, 10, tzinfo=UTC)
    naive = parse_moment("at", "2026-11-01T10:00:00", NOW)
    assert naive.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at: required"),
        ("yesterday", "at: 'yesterday' is not an ISO-8601 date-time"),
        ("2027-01-01T00:00:00Z", "at: 2027-01-01T00:00:00Z is in the future"),
    ],
)
def test_bad_moments(text: str, message: str) -> None:
    with pytest.raises(RowError) as error:
        parse_moment("at", text, NOW)
    assert str(error.value) == message


def test_numbers() -> None:
    assert parse_number("affect", "") is None
    assert parse_number("affect", "-0.5") == -0.5
    with pytest.raises(RowError, match="affect: 'high' is not a number"):
        parse_number("affect", "high")
    with pytest.raises(RowError, match="not a finite number"):
        parse_number("affect", "nan")


def test_epoch_seconds_reads_naive_values_as_utc_whatever_the_local_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time
    from datetime import datetime as dt

    from sociograph.graph.projection import epoch_seconds

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        expected = int(dt(2026, 10, 1, 12, tzinfo=UTC).timestamp())
        assert epoch_seconds(dt(2026, 10, 1, 12)) == expected
        assert epoch_seconds("2026-10-01 12:00:00") == expected
        assert epoch_seconds(dt(2026, 10, 1, 14, tzinfo=UTC)) == expected + 7200
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_values_must_be_a_list_of_strings() -> None:
    from django.core.exceptions import ValidationError

    from recognition.models import validate_values

    validate_values(["care", "ownership"])
    for bad in (5, "care", ["care", None], [""]):
        with pytest.raises(ValidationError):
            validate_values(bad)
