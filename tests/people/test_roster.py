"""people.roster: who belonged to the organization, and to which context, during a window."""

from __future__ import annotations

from datetime import UTC, date, datetime

from people.roster import (
    build_roster,
    employed_during,
    employed_on,
    period_overlaps,
    window_days,
)

START = datetime(2026, 8, 3, tzinfo=UTC).timestamp()
END = datetime(2026, 11, 1, tzinfo=UTC).timestamp()  # last day: 31 October
FIRST, LAST = date(2026, 8, 3), date(2026, 10, 31)


def person(uuid: str, **fields: object) -> dict[str, object]:
    return {
        "uuid": uuid,
        "active": True,
        "opted_out": False,
        "joined_on": None,
        "left_on": None,
    } | fields


def member(person: str, context: str = "c", **fields: object) -> dict[str, object]:
    row = {"person": person, "context": context, "kind": "team", "key": "team:C", "role": ""}
    return row | {"since": None, "until": None} | fields


def test_the_window_ends_on_the_day_before_its_exclusive_end() -> None:
    assert window_days(START, END) == (FIRST, LAST)


def test_left_on_is_the_first_day_no_longer_employed() -> None:
    assert employed_on(None, date(2026, 11, 1), True, LAST)
    assert not employed_on(None, date(2026, 10, 31), True, LAST)
    assert employed_on(None, "2026-11-01", False, LAST)  # the date decides, as projected
    assert not employed_on(date(2026, 11, 1), None, True, LAST)  # not joined yet


def test_a_departure_without_a_date_means_employed_on_no_day() -> None:
    assert not employed_during(None, None, False, date(2000, 1, 1), LAST)


def test_membership_periods_are_inclusive() -> None:
    assert period_overlaps(None, FIRST, FIRST, LAST)
    assert period_overlaps(LAST, None, FIRST, LAST)
    assert not period_overlaps(None, date(2026, 8, 2), FIRST, LAST)
    assert not period_overlaps("2026-11-01", None, FIRST, LAST)


def test_roster_of_a_window() -> None:
    people = [
        person("stays"),
        person("left", left_on="2026-09-15"),
        person("gone", left_on="2026-07-01"),
        person("undated", active=False),
        person("hidden", opted_out=True),
        person("late", joined_on="2026-11-02"),
    ]
    memberships = [
        member(uuid) for uuid in ("stays", "left", "gone", "undated", "hidden", "late")
    ] + [
        member("stays", "d", until="2026-09-01"),
        member("stays", "d", since="2026-10-01", until="2026-10-10"),
        member("left", "e", since="2026-10-01"),  # began after they had left
    ]
    roster = build_roster(people, memberships, START, END)
    assert roster.present == {"stays"}
    assert roster.members_in_window["c"] == {"stays", "left"}
    assert roster.members_at_end["c"] == {"stays"}
    assert roster.members_in_window["d"] == {"stays"}
    assert "d" not in roster.members_at_end
    assert "e" not in roster.members_in_window


def test_roles_are_read_at_the_window_end() -> None:
    memberships = [
        member("a", role="lead", until="2026-09-01"),
        member("a", since="2026-09-02"),
        member("b", role="lead"),
    ]
    roster = build_roster([person("a"), person("b")], memberships, START, END)
    assert roster.roles == {("c", "b"): frozenset({"lead"})}
