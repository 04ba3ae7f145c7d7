"""import_teams on a hand-written Graph export (chatMessage pages, JSON Lines replies, chats,
callRecords) with a Viva Insights person-to-person query: who talked to whom, when and how much,
what each rule skipped, what was rejected where, and that no message content is stored."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from intake.models import UnresolvedIdentity
from intake.records import Skipped
from intake.sources.teams_messages import MessageReader
from people.models import Person, PersonIdentity
from recognition.models import Interaction
from tests.support.commands import run, run_failing
from tests.support.stored_text import tables_holding

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "teams"
EXPORT = str(FIXTURES / "export")
USERS = str(FIXTURES / "users.json")
MARKER = "MARKER-SECRET-7Q"
CY_AAD = "e1ecb745-c10f-40af-a9d4-cab946c80ac7"
GUEST_AAD = "f00d0000-0000-4000-8000-000000000bad"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


EXPECTED = {
    # (source, target, channel, at, weight)
    ("ana", "ben", "chat", at("2026-03-02T08:44:32.395"), 1.0),  # mentions Ben and Cy Young
    ("ana", "cy", "chat", at("2026-03-02T08:44:32.395"), 1.0),  # (two mentions, one person)
    ("ben", "ana", "chat", at("2026-03-02T09:01"), 1.0),  # reply met before its parent's file
    ("cy", "ben", "chat", at("2026-03-02T09:04"), 1.0),  # reply to a deleted post + mention: once
    ("ana", "dee", "chat", at("2026-03-02T09:05"), 1.0),  # reply to a post written at +02:00
    ("ana", "ben", "chat", at("2026-03-03T07:00"), 1.0),  # 1:1 chat mention
    ("ana", "ben", "chat", at("2026-03-03T07:02"), 1.0),  # reply in the chat: same id as a post
    ("ana", "cy", "call", at("2026-03-04T09:00"), 12.5),  # a 12 min 30 s session
    ("ana", "ben", "meeting", at("2026-03-02T00:00"), 0.82),  # Viva, M/D/YYYY
    ("ben", "ana", "meeting", at("2026-03-09T00:00"), 0.5),  # Viva, ISO date
}
SKIPPED = {
    "bot": 1,
    "system event": 1,
    "deleted": 1,
    "no reply and no mention": 2,
    "reply to a bot": 1,
    "reply to a message not in the export": 1,
    "@odata.nextLink not followed": 1,
    "phone or application endpoint": 1,
    "zero-length session": 1,
    "session with the conference service": 1,
    "sessions@odata.nextLink not followed": 1,
    "call without sessions (export with $expand=sessions)": 1,
    "no strong tie (score 0 or empty)": 2,
    "not a .json, .jsonl or .csv file": 1,
}
REJECTED_PLACES = [
    "broken.json",
    "general-replies.jsonl:7",
    "general.json:149",
    "viva/person-to-person.csv:6",
    "viva/person-to-person.csv:7",
]


@pytest.fixture
def people() -> dict[str, Person]:
    made = {
        key: Person.objects.create(external_id=key, name=key, email=email)
        for key, email in (
            ("ana", "ana.alves@example.org"),
            ("ben", "Ben.Brook@example.org"),
            ("cy", "cy@example.org"),
            ("dee", "dee.dunn@example.org"),
        )
    }
    PersonIdentity.objects.create(person=made["cy"], source="teams", identifier=CY_AAD)
    PersonIdentity.objects.create(person=made["ana"], source="viva", identifier="a1f0c5e2d9b84e7f")
    PersonIdentity.objects.create(person=made["ben"], source="viva", identifier="b2e1d6f3a0c95f80")
    return made


def stored() -> set[tuple[str, str, str, datetime, float]]:
    rows = Interaction.objects.values_list(
        "source__external_id", "target__external_id", "channel", "at", "weight"
    )
    return set(rows)


def summary_of(output: str) -> str:
    return output.strip().splitlines()[-1]


def rejections_of(output: str) -> dict[str, str]:
    lines = output.strip().splitlines()[:-1]
    return dict(line.split(": ", 1) for line in lines)


def test_the_export_becomes_interactions_with_skips_and_rejections_by_place(
    people: dict[str, Person],
) -> None:
    output, error = run_failing("import_teams", EXPORT, "--users", USERS)
    assert stored() == EXPECTED
    assert Interaction.objects.count() == len(EXPECTED)
    assert error == "5 record(s) rejected; the others were kept"
    rules = ", ".join(f"{rule} {count}" for rule, count in sorted(SKIPPED.items()))
    assert summary_of(output) == (
        f"accepted: 10  already present: 0  skipped: 16 ({rules})  rejected: 5"
    )
    rejections = rejections_of(output)
    assert sorted(rejections) == REJECTED_PLACES
    assert rejections["broken.json"].startswith("unreadable JSON")
    assert rejections["general-replies.jsonl:7"].startswith("not JSON")
    assert f"unknown identity teams:{GUEST_AAD}" in rejections["general.json:149"]
    assert "MetricDate '13/45/2026' is not a date" in rejections["viva/person-to-person.csv:6"]
    assert "unknown identity viva:c3f2e7a4b1d06a91" in rejections["viva/person-to-person.csv:7"]


def test_unknown_ids_are_listed_for_hr_with_the_name_the_directory_gives(
    people: dict[str, Person],
) -> None:
    run_failing("import_teams", EXPORT, "--users", USERS)
    listed = {
        (entry.source, entry.identifier): (entry.name, entry.email, entry.occurrences)
        for entry in UnresolvedIdentity.objects.all()
    }
    # the guest's sign-in name (…#EXT#@tenant) is nobody's mailbox: no e-mail is guessed
    assert listed == {
        ("teams", GUEST_AAD): ("Guest Gail", "", 1),
        ("viva", "c3f2e7a4b1d06a91"): ("", "", 1),
    }
    learned = set(PersonIdentity.objects.filter(source="teams").values_list("person__external_id"))
    assert learned == {("ana",), ("ben",), ("cy",), ("dee",)}


def test_re_importing_changes_nothing(people: dict[str, Person]) -> None:
    run_failing("import_teams", EXPORT, "--users", USERS)
    before = set(Interaction.objects.values_list("pk", "event_key"))
    output, _ = run_failing("import_teams", EXPORT, "--users", USERS)
    assert summary_of(output).startswith("accepted: 0  already present: 10  skipped: 16")
    assert set(Interaction.objects.values_list("pk", "event_key")) == before


def test_without_the_users_file_graph_ids_must_be_mapped_first(people: dict[str, Person]) -> None:
    output, _ = run_failing("import_teams", EXPORT)
    # only Cy is mapped (PersonIdentity); Viva ids are mapped for Ana and Ben
    assert stored() == {row for row in EXPECTED if row[2] == "meeting"}
    assert "unknown identity teams:8b081ef6-4792-4def-b2c9-c363a1bf41d5" in output
    unresolved = UnresolvedIdentity.objects.filter(source="teams").count()
    assert unresolved == 4  # ana, ben, dee and the guest


def test_no_message_content_is_stored(people: dict[str, Person]) -> None:
    run_failing("import_teams", EXPORT, "--users", USERS)
    assert tables_holding(MARKER) == []


def test_one_viva_file_with_a_channel_of_choice(people: dict[str, Person]) -> None:
    output, _ = run_failing(
        "import_teams", f"{EXPORT}/viva/person-to-person.csv", "--viva-channel", "chat"
    )
    assert set(Interaction.objects.values_list("channel", flat=True)) == {"chat"}
    assert summary_of(output) == (
        "accepted: 2  already present: 0  skipped: 2 (no strong tie (score 0 or empty) 2)  "
        "rejected: 2"
    )


def test_a_single_file_exits_zero_when_nothing_is_rejected(people: dict[str, Person]) -> None:
    PersonIdentity.objects.create(
        person=people["ana"], source="teams", identifier="8b081ef6-4792-4def-b2c9-c363a1bf41d5"
    )
    output = run("import_teams", f"{EXPORT}/calls.json")
    assert summary_of(output).startswith("accepted: 1  already present: 0  skipped: 5 (")
    assert stored() == {row for row in EXPECTED if row[2] == "call"}


@pytest.mark.parametrize("name", ["not-json.json", "export/broken.json"])
def test_a_file_that_is_not_json_is_refused_as_a_whole(name: str) -> None:
    output, error = run_failing("import_teams", str(FIXTURES / name))
    assert "not a Graph JSON export" in error
    assert output == ""


def test_a_missing_users_file_or_a_csv_that_is_not_viva_is_refused(tmp_path: Path) -> None:
    _, error = run_failing("import_teams", EXPORT, "--users", str(tmp_path / "none.json"))
    assert "users file" in error
    other = tmp_path / "people.csv"
    other.write_text("name,email\nAna,ana@example.org\n")
    _, error = run_failing("import_teams", str(other))
    assert "not a Viva person-to-person query: no PrimaryCollaborator_PersonId" in error


def test_the_command_prints_nothing_but_its_summary_when_all_is_well(tmp_path: Path) -> None:
    empty = tmp_path / "page.json"
    empty.write_text('{"value": []}')
    out = io.StringIO()
    call_command("import_teams", str(empty), stdout=out)
    assert out.getvalue() == "accepted: 0  already present: 0  skipped: 0  rejected: 0\n"


def test_replies_waiting_for_their_parent_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("intake.sources.teams_messages.WAITING_REPLIES", 1)
    reader = MessageReader()

    def message(number: str, parent: str | None, author: str) -> dict[str, object]:
        return {
            "id": number,
            "replyToId": parent,
            "messageType": "message",
            "createdDateTime": "2026-03-02T09:00:00Z",
            "from": {"user": {"id": author}},
            "chatId": "19:chat",
        }

    first = list(reader.read(message("2", "1", "ben"), "line 2"))
    second = list(reader.read(message("3", "9", "cy"), "line 3"))
    parent = list(reader.read(message("1", None, "ana"), "line 1"))
    assert first == []
    assert second == [Skipped("reply to a message not in the export", "line 2")]
    assert parent == [Skipped("no reply and no mention", "line 1")]
    assert list(reader.finish()) == [Skipped("reply to a message not in the export", "line 3")]
