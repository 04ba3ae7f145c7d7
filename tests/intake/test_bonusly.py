"""import_recognitions --format bonusly: Bonusly bonuses (the API's answer, a bare array, JSON
Lines) become one recognition per receiver, with add-ons, automated bonuses, unknown people and
broken records handled as docs/intake.md says."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from intake.models import UnresolvedIdentity
from intake.records import (
    IdentityHint,
    PersonRef,
    RecognitionRecord,
    Rejected,
    Skipped,
    SourceFormatError,
)
from intake.sources import bonusly
from intake.sources.bonusly import BonuslyParser
from people.models import Person, PersonIdentity
from recognition.models import Recognition
from tests.support.commands import run, run_failing

FIXTURES = Path(__file__).parent / "fixtures" / "bonusly"
ANSWER = str(FIXTURES / "bonuses.json")
LINES = str(FIXTURES / "bonuses.jsonl")
ARRAY = str(FIXTURES / "array.json")
ANA, BEN, CY, DEE = (f"58d2f1a0c9e77c0017a1b00{n}" for n in range(1, 5))


@pytest.fixture
def people() -> dict[str, Person]:
    made = {
        key: Person.objects.create(external_id=key, name=key.title(), email=email)
        for key, email in (
            ("ana", "Ana@Example.org"),
            ("ben", "ben@example.org"),
            ("cy", "cy.nguyen@corp.example"),  # known by the Bonusly id only
            ("dee", "dee@example.org"),
        )
    }
    PersonIdentity.objects.create(person=made["cy"], source="bonusly", identifier=CY)
    return made


def import_failing(*args: str) -> tuple[str, str]:
    return run_failing("import_recognitions", *args, "--format", "bonusly")


def stored() -> set[tuple[str, str, tuple[str, ...], datetime]]:
    rows = Recognition.objects.values_list(
        "giver__external_id", "receiver__external_id", "values", "at"
    )
    return {(giver, receiver, tuple(values), at) for giver, receiver, values, at in rows}


def at(
    year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


@pytest.mark.django_db
def test_an_api_answer_becomes_one_recognition_per_receiver(people: dict[str, Person]) -> None:
    out, error = import_failing(ANSWER)
    assert out.splitlines()[-1] == (
        "accepted: 8  already present: 0  "
        "skipped: 4 (add-on of an unknown bonus 1, automated 2, to oneself 1)  rejected: 2"
    )
    assert error == "2 record(s) rejected; the others were kept"
    release, add_on = at(2026, 3, 2, 14, 15, 27), at(2026, 3, 2, 15, 2, 11)
    assert stored() == {
        ("ana", "ben", ("teamwork",), release),
        ("ana", "cy", ("teamwork",), release),
        ("dee", "ben", (), add_on),  # the add-on recognizes the parent's receivers
        ("dee", "cy", (), add_on),
        ("ben", "ana", ("innovation",), at(2017, 6, 14, 16, 40, 3)),  # older singular receiver
        ("cy", "ana", ("ownership",), at(2026, 3, 4, 11, 30)),  # add-on with its own receivers
        ("ana", "ben", ("learning",), at(2026, 3, 5, 23)),
        ("ben", "ana", ("resilience",), at(2026, 3, 6, 8, 45, 10)),
    }
    learned = set(PersonIdentity.objects.filter(source="bonusly").values_list("identifier"))
    assert learned == {(ANA,), (BEN,), (CY,), (DEE,)}


@pytest.mark.django_db
def test_rejections_are_printed_with_their_place_and_unknown_receivers_listed(
    people: dict[str, Person],
) -> None:
    out, _ = import_failing(ANSWER)
    zed = "58d2f1a0c9e77c0017a1b0z9"
    assert set(out.splitlines()[:2]) == {
        f"bonuses.json item 8 (bonus 6601d333e4b0f1001f3a0008): unknown identity bonusly:{zed} "
        "(map it in the admin: Intake > Unresolved identities)",
        "bonuses.json item 9 (bonus 6601e444e4b0f1001f3a0009): "
        "created_at 'last tuesday' is not an ISO 8601 time",
    }
    listed = UnresolvedIdentity.objects.get()
    assert (listed.source, listed.identifier, listed.email, listed.name) == (
        "bonusly",
        zed,
        "zed@contractor.example",
        "Zed Contractor",
    )
    assert listed.occurrences == 1
    assert not Person.objects.filter(email__icontains="zed").exists()


@pytest.mark.django_db
def test_re_importing_changes_nothing(people: dict[str, Person]) -> None:
    import_failing(ANSWER)
    before = stored()
    out, _ = import_failing(ANSWER)
    assert out.splitlines()[-1].startswith("accepted: 0  already present: 8  skipped: 4")
    assert stored() == before
    assert Recognition.objects.count() == 8


@pytest.mark.django_db
def test_the_reason_is_not_stored_unless_the_setting_says_so(
    people: dict[str, Person], settings: object
) -> None:
    import_failing(ANSWER)
    assert set(Recognition.objects.values_list("message", flat=True)) == {""}
    Recognition.objects.all().delete()
    settings.SOCIOGRAPH_INTAKE_KEEP_RECOGNITION_MESSAGES = True  # type: ignore[attr-defined]
    import_failing(ANSWER)
    kept = Recognition.objects.get(giver__external_id="ben", values=["innovation"])
    assert kept.message == "+3 @ana.ruiz thanks for covering my on-call #innovation"


@pytest.mark.django_db
def test_json_lines_with_an_add_on_before_its_parent_and_a_system_giver(
    people: dict[str, Person],
) -> None:
    out, _ = import_failing(LINES, "--system-giver", "KUDOS-BOT@example.org")
    assert out.splitlines() == [
        "bonuses.jsonl line 3: not JSON: Expecting value at column 109",
        "accepted: 3  already present: 0  "
        "skipped: 2 (automated 1, receiver listed twice 1)  rejected: 1",
    ]
    assert stored() == {
        ("ana", "cy", ("customer-focus",), at(2026, 4, 2, 11, 50)),
        ("dee", "cy", (), at(2026, 4, 2, 12, 5)),
        ("ben", "dee", ("quality",), at(2026, 3, 31, 21, 30, 0, 250_000)),
    }
    assert Recognition.objects.filter(event_key__isnull=False).count() == 3


@pytest.mark.django_db
def test_without_the_option_a_system_giver_is_an_unknown_person(
    people: dict[str, Person],
) -> None:
    out, _ = import_failing(LINES)
    assert "(bonus 6610aa03e4b0f1001f3b7003): unknown identity bonusly:" in out
    assert out.splitlines()[-1].endswith("rejected: 2")


@pytest.mark.django_db
def test_a_clean_bare_array_exits_normally(people: dict[str, Person]) -> None:
    out = run("import_recognitions", ARRAY, "--format", "bonusly")
    assert out == "accepted: 2  already present: 0  skipped: 0  rejected: 0\n"
    assert {(g, r) for g, r, *_ in stored()} == {("cy", "ana"), ("cy", "ben")}


@pytest.mark.django_db
def test_a_file_broken_midway_keeps_what_was_read_and_fails(
    people: dict[str, Person], tmp_path: Path
) -> None:
    truncated = tmp_path / "bonuses.json"
    truncated.write_text(Path(ARRAY).read_text()[:-200])
    out, error = import_failing(str(truncated))
    assert out.splitlines() == [
        "bonuses.json item 1: the rest of the file cannot be read: not valid JSON "
        """(Unterminated string starting at) near '{"id": "6620bb02e4b0f1001f3c0002", "crea'""",
        "accepted: 1  already present: 0  skipped: 0  rejected: 1",
    ]
    assert error == "1 record(s) rejected; the others were kept"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("", "the file is empty"),
        ("  \n", "the file is empty"),
        ('{"success": false, "message": "Invalid access token"}', "Invalid access token"),
        ('{"success": false, "result": []}', "the API answered an error"),
        ('{"success": true}', 'no "result" list'),
        ("id,created_at\n1,2026-01-01", "neither a JSON array"),
    ],
)
def test_an_unreadable_file_is_a_source_format_error(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "bonuses.json"
    path.write_text(content)
    with pytest.raises(SourceFormatError, match=problem):
        list(bonusly.read_bonusly(path))


@pytest.mark.django_db
def test_the_command_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_bytes(b'[{"id": "\xff"}]')
    _, error = import_failing(str(broken))
    assert error.startswith(f"{broken}: not UTF-8 text")
    _, error = import_failing(str(tmp_path))
    assert error == f"{tmp_path}: a file is expected"
    with pytest.raises(CommandError, match="--format"):
        call_command("import_recognitions", ANSWER)
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import_recognitions", ANSWER, "--format", "kudos")


def bonus(bonus_id: str, *receivers: str, **fields: object) -> dict[str, object]:
    return {
        "id": bonus_id,
        "created_at": "2026-03-02T09:00:00+01:00",
        "giver": {"id": "g", "email": "g@example.org"},
        "receivers": [{"id": receiver} for receiver in receivers],
        **fields,
    }


def parse(*documents: object, system_givers: tuple[str, ...] = ()) -> list[object]:
    parser = BonuslyParser("f.json", system_givers)
    items: list[object] = []
    for number, document in enumerate(documents, start=1):
        items += parser.take(f"item {number}", document)
    return [item for item in [*items, *parser.finish()] if not isinstance(item, IdentityHint)]


def pairs(items: list[object]) -> list[tuple[str, str, str]]:
    return [
        (item.event_id, item.giver.identifier, item.receiver.identifier)
        for item in items
        if isinstance(item, RecognitionRecord)
    ]


def test_people_are_named_by_bonusly_id_else_by_e_mail() -> None:
    items = parse(
        bonus("1", receivers=[{"email": "Eve@Example.org"}, {"username": "nobody"}]),
        bonus("2", "r", giver={"username": "no id"}),
        bonus("3", "r", created_at="2026-03-02T09:00:00"),
        [1, 2],
    )
    assert items[0] == Rejected("a receiver without an id or e-mail", "f.json item 1 (bonus 1)")
    record = items[1]
    assert isinstance(record, RecognitionRecord)
    assert (record.event_id, record.receiver) == (
        "1:Eve@Example.org",
        PersonRef("email", "Eve@Example.org"),
    )
    assert record.at == at(2026, 3, 2, 8)
    assert items[2:] == [
        Rejected("a giver without an id or e-mail", "f.json item 2 (bonus 2)"),
        Rejected("created_at '2026-03-02T09:00:00' has no time zone", "f.json item 3 (bonus 3)"),
        Rejected("not a bonus object", "f.json item 4"),
    ]


def test_add_ons_take_the_receivers_of_a_parent_met_before_or_after() -> None:
    items = parse(
        bonus("late", parent_bonus_id="p2", giver={"id": "h"}),
        bonus("p1", "a", "b", child_count=1),
        bonus("on-p1", parent_bonus_id="p1", giver={"id": "h"}),
        bonus("p2", "c"),
        bonus("p3", "d", child_count=0),
        bonus("on-p3", parent_bonus_id="p3"),  # child_count 0: p3 was not remembered
    )
    assert pairs(items) == [
        ("p1:a", "g", "a"),
        ("p1:b", "g", "b"),
        ("on-p1:a", "h", "a"),
        ("on-p1:b", "h", "b"),
        ("p2:c", "g", "c"),
        ("late:c", "h", "c"),
        ("p3:d", "g", "d"),
    ]
    assert items[-1] == Skipped("add-on of an unknown bonus", "f.json item 6 (bonus on-p3)")


def test_add_ons_waiting_beyond_the_bound_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bonusly, "WAITING_ADD_ONS", 2)
    items = parse(*(bonus(f"on{n}", parent_bonus_id=f"p{n}") for n in range(3)), bonus("p2", "a"))
    assert items == [
        Skipped("add-on of an unknown bonus", "f.json item 1 (bonus on0)"),
        *[r for r in items if isinstance(r, RecognitionRecord)],
        Skipped("add-on of an unknown bonus", "f.json item 2 (bonus on1)"),
    ]
    assert pairs(items) == [("p2:a", "g", "a"), ("on2:a", "g", "a")]


def test_automated_bonuses_by_via_by_a_missing_giver_or_by_a_named_account() -> None:
    items = parse(
        bonus("1", "a", via="Anniversary"),
        bonus("2", "a", giver=None),
        bonus("3", "a", giver={}),
        bonus("4", "a", giver={"id": "bot", "email": "BOT@example.org"}),
        bonus("5", "a", giver={"id": "u-bot"}),
        system_givers=("bot@example.org", "u-bot"),
    )
    assert items == [Skipped("automated", f"f.json item {n} (bonus {n})") for n in range(1, 6)]


def test_values_come_from_the_value_and_the_hashtag_never_from_the_reason() -> None:
    items = parse(
        bonus("1", "a", value="Teamwork", hashtag="#shipit", reason="#secret #teamwork"),
        bonus("2", "a", hashtag="#teamwork", value="teamwork"),
    )
    values = [item.values for item in items if isinstance(item, RecognitionRecord)]
    assert values == [("teamwork", "shipit"), ("teamwork",)]
