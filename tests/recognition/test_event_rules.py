"""Pure rules of the recognition app: event identity, cell parsing, recognized values."""

from datetime import UTC, datetime

import pytest

from recognition.importers import RowError, parse_moment, parse_number
from recognition.services import event_key

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


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


def test_values_must_be_a_list_of_strings() -> None:
    from django.core.exceptions import ValidationError

    from recognition.models import validate_values

    validate_values(["care", "ownership"])
    for bad in (5, "care", ["care", None], [""]):
        with pytest.raises(ValidationError):
            validate_values(bad)
