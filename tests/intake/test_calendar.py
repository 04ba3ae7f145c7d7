"""import_calendar on hand-written iCalendar files (tests/intake/fixtures/calendar): ana's and
ben's calendars both hold a weekly meeting (a Berlin time zone across the end of daylight saving
time, an EXDATE, an occurrence moved by RECURRENCE-ID) and a 1:1; ben's adds a New York meeting
and a lunch with an attendee without an address. Who met whom with which weight, what each rule
skips, what is rejected where, and that no summary, description or location is stored."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from people.models import Person
from recognition.models import Interaction
from tests.support.commands import run, run_failing
from tests.support.interactions import edges_of
from tests.support.stored_text import tables_holding

pytestmark = pytest.mark.django_db
CALENDARS = Path(__file__).parent / "fixtures" / "calendar"
OCTOBER = ("--since=2026-10-01", "--until=2026-10-31", "--internal-domains=example.org")
LUNCH = "ben.ics lunch-1@example.org 2026-10-15T12:00:00+00:00"
LUNCH_REJECTION = (
    f"{LUNCH}: attendee 'urn:uuid:5f0c2a8e-1d1b-4c55-9d39-2b1f3f6b9a10' without an e-mail address"
)
ALL_RULES = (
    "skipped: 16 (all-day 1, cancelled 1, declined 4, external attendee 1, group 1, "
    "no attendees 1, not answered 1, room or resource 4, tentative 2)"
)


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=UTC)


@pytest.fixture(autouse=True)
def people() -> None:
    for key in ("ana", "ben", "cy", "dee"):
        Person.objects.create(external_id=key, name=key.title(), email=f"{key}@example.org")


def edges() -> Counter[tuple[str, str, float, datetime]]:
    return edges_of("meeting")


EXPECTED = Counter(
    {
        # the weekly sync, 30 minutes, 10:00 in Berlin (UTC+2); dee declined, the room skipped
        ("ana", "ben", 0.25, at(5, 8)): 1,
        ("ana", "cy", 0.25, at(5, 8)): 1,
        ("ana", "ben", 0.25, at(12, 8)): 1,
        ("ana", "cy", 0.25, at(12, 8)): 1,
        # the 19th is an EXDATE; the 26th moved to the 27th, 15:00 in Berlin (UTC+1 by then),
        # where cy is only tentative
        ("ana", "ben", 0.5, at(27, 14)): 1,
        ("ben", "ana", 1.0, at(8, 13)): 1,  # the 1:1, in both calendars
        # one hour in New York (UTC-4) shared by ben, ana and an external partner
        ("cy", "ben", 0.3333, at(14, 13)): 1,
        ("cy", "ana", 0.3333, at(14, 13)): 1,
        ("ben", "cy", 1.0, at(15, 12)): 1,  # lunch, with a guest without an address
    }
)


def test_calendars_give_who_met_whom_for_how_long() -> None:
    output, error = run_failing("import_calendar", str(CALENDARS), *OCTOBER)
    assert edges() == EXPECTED
    assert output.splitlines() == [
        LUNCH_REJECTION,
        f"accepted: 9  already present: 6  {ALL_RULES}  rejected: 1",
    ]
    assert error == "1 record(s) rejected; the others were kept"


def test_re_importing_changes_nothing() -> None:
    run_failing("import_calendar", str(CALENDARS), *OCTOBER)
    output, _ = run_failing("import_calendar", str(CALENDARS), *OCTOBER)
    assert f"accepted: 0  already present: 15  {ALL_RULES}  rejected: 1" in output
    assert edges() == EXPECTED


def test_no_summary_description_location_or_name_is_stored() -> None:
    run_failing("import_calendar", str(CALENDARS), *OCTOBER)
    assert Interaction.objects.count() == 9
    for content in ("SECRET-MARKER", "roadmap", "Everest", "Alves", "Pat Partner"):
        assert tables_holding(content) == [], content


def test_one_calendar_within_a_narrow_window() -> None:
    output = run(
        "import_calendar", str(CALENDARS / "ana.ics"), "--since=2026-10-20", "--until=2026-11-02"
    )
    # the moved occurrence (27th) and the one of November 2nd, 10:00 in Berlin (UTC+1)
    assert edges() == Counter(
        {
            ("ana", "ben", 0.5, at(27, 14)): 1,
            ("ana", "ben", 0.25, datetime(2026, 11, 2, 9, tzinfo=UTC)): 1,
            ("ana", "cy", 0.25, datetime(2026, 11, 2, 9, tzinfo=UTC)): 1,
        }
    )
    assert output.strip() == (
        "accepted: 3  already present: 0  skipped: 3 (declined 1, room or resource 1, "
        "tentative 1)  rejected: 0"
    )


def test_without_internal_domains_an_outside_attendee_is_rejected() -> None:
    output, _ = run_failing("import_calendar", str(CALENDARS / "ben.ics"), *OCTOBER[:2])
    assert (
        "ben.ics ny-1@example.org 2026-10-14T09:00:00-04:00: unknown identity "
        "email:partner@client.com"
    ) in output
    assert "rejected: 2" in output


def test_what_is_not_a_calendar_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ics"
    broken.write_text("BEGIN:VCALENDAR\r\nnot a content line\r\n")
    _, error = run_failing("import_calendar", str(broken), *OCTOBER)
    assert error.startswith(f"{broken}: not a readable iCalendar file")
    (tmp_path / "ana.ics").write_bytes((CALENDARS / "ana.ics").read_bytes())
    output, _ = run_failing("import_calendar", str(tmp_path), *OCTOBER)
    assert output.startswith("broken.ics: not a readable iCalendar file")  # the others are read
    assert "accepted: 6" in output
    (tmp_path / "ana.ics").unlink()
    _, error = run_failing("import_calendar", str(tmp_path / "nothing"), *OCTOBER)
    assert error == f"{tmp_path / 'nothing'}: no such file or folder"
    (tmp_path / "notes.txt").write_text("no calendar here")
    broken.unlink()
    _, error = run_failing("import_calendar", str(tmp_path), *OCTOBER)
    assert error == f"{tmp_path}: no .ics file in it"
    _, error = run_failing(
        "import_calendar", str(CALENDARS), "--since=2026-11-01", "--until=2026-10-01"
    )
    assert error == "--since 2026-11-01 is after --until 2026-10-01"
