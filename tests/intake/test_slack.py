"""The Slack export importer on a hand-written export (tests/intake/fixtures/slack/export): which
edges each message makes, what is skipped by which rule, what is rejected where, and that no
message text is stored. Every message text in the fixture holds MARKER."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.models import UnresolvedIdentity
from intake.records import IdentityHint, InteractionRecord, Rejected, Skipped
from intake.sources import slack as slack_source
from intake.sources.slack import SlackOptions, read_export
from people.models import Context, Person, PersonIdentity
from people.services import save_person
from recognition.models import Interaction
from sociograph.graph import gateway, relay
from sociograph.graph.cypher import probe
from tests.support.commands import assert_no_drift, run, run_failing
from tests.support.stored_text import tables_holding

pytestmark = pytest.mark.django_db

EXPORT = Path(__file__).parent / "fixtures" / "slack" / "export"
MARKER = "SECRET-MARKER"
OPTIONS = ("--context-max-members", "4", "--broadcast-max-members", "5")
GENERAL = "community:general"


def at(day: int, hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, second, micro, tzinfo=UTC)


EXPECTED = {
    # DM: each message to the other member; ben's reply in the DM is the same edge
    ("ana", "ben", at(1, 11), 1.0, None),
    ("ben", "ana", at(1, 11, 1), 1.0, None),
    # <!channel> in all-hands (5 members, over 4: no context): 1/(5-1) to each other member
    ("ana", "ben", at(1, 12), 0.25, None),
    ("ana", "cy", at(1, 12), 0.25, None),
    ("ana", "dee", at(1, 12), 0.25, None),
    ("ana", "eve", at(1, 12), 0.25, None),
    # general (3 members: a context): reactions, mentions, thread replies
    ("ben", "ana", at(1, 8, micro=100), 1.0, GENERAL),  # +1 reaction
    ("cy", "ana", at(1, 8, micro=100), 1.0, GENERAL),  # +1 reaction
    ("ben", "cy", at(1, 9, 0, 0, 500_000), 1.0, GENERAL),  # mention
    ("cy", "ana", at(1, 9, 5), 1.0, GENERAL),  # mention in a file share
    ("dee", "ana", at(2, 1, 30), 1.0, GENERAL),  # reply; its file is dated the 1st
    ("ben", "ana", at(2, 9, 0, 0, 200), 1.0, GENERAL),  # reply, parent in the day before
    ("eve", "ana", at(2, 9, 1), 1.0, GENERAL),  # a deleted user mapped by id
    ("ana", "cy", at(2, 9, 4), 1.0, GENERAL),  # parent outside the export: parent_user_id
    # group DM: to each other member
    ("cy", "ana", at(1, 14), 1.0, None),
    ("cy", "dee", at(1, 14), 1.0, None),
    # private channel: a reply, never a context unless asked
    ("ben", "ana", at(1, 15, 1), 1.0, None),
}
SKIPPED = (
    "bot 5, broadcast to a large channel 1, channel settings 2, edit or deletion 1, "
    "join or leave 2, no one addressed 2, reply to a message not in the export 1, "
    "thread_broadcast duplicate 1, to a bot 1, to oneself 1"
)
SUMMARY = f"accepted: 17  already present: 0  skipped: 17 ({SKIPPED})  rejected: 4"


@pytest.fixture
def people() -> dict[str, Person]:
    made = {
        key: save_person(Person(external_id=key, name=key, email=f"{key}@example.org"))
        for key in ("ana", "ben", "cy", "dee", "eve", "fay")
    }
    PersonIdentity.objects.create(person=made["eve"], source="slack", identifier="U05EVE")
    return made


def stored() -> set[tuple[str, str, datetime, float, str | None]]:
    rows = Interaction.objects.values_list(
        "source__external_id",
        "target__external_id",
        "at",
        "weight",
        "context__kind",
        "context__name",
    )
    return {
        (source, target, when, weight, f"{kind}:{name}" if kind else None)
        for source, target, when, weight, kind, name in rows
    }


def zipped(tmp_path: Path) -> Path:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(EXPORT.rglob("*.json")):
            out.write(path, path.relative_to(EXPORT).as_posix())
    return archive


def test_the_export_becomes_exactly_these_interactions(people: dict[str, Person]) -> None:
    output, error = run_failing("import_slack", str(EXPORT), *OPTIONS)
    assert SUMMARY in output
    assert error == "4 record(s) rejected; the others were kept"
    assert stored() == EXPECTED
    assert Interaction.objects.count() == 17
    assert set(Interaction.objects.values_list("channel", flat=True)) == {"chat"}
    assert [context.key for context in Context.objects.all()] == [GENERAL]


def test_rejections_name_their_place_and_unresolved_users_are_listed(
    people: dict[str, Person],
) -> None:
    output, _ = run_failing("import_slack", str(EXPORT), *OPTIONS)
    lines = output.splitlines()
    assert any(line.startswith("general/2024-03-03.json: not JSON") for line in lines)
    assert any(line.startswith("orphan: no conversation of this name") for line in lines)
    ghost = "unknown identity slack:U06GHOST"
    assert f"general/2024-03-01.json message 8: {ghost}" in output  # a mention of them
    assert f"general/2024-03-02.json message 4: {ghost}" in output  # their reply
    listed = UnresolvedIdentity.objects.get()
    assert (listed.identifier, listed.name, listed.email) == ("U06GHOST", "Gus Ghost", "")
    assert listed.occurrences == 2
    assert not Person.objects.filter(name="Gus Ghost").exists()


def test_identities_are_learned_by_e_mail_ignoring_case(people: dict[str, Person]) -> None:
    run_failing("import_slack", str(EXPORT), *OPTIONS)
    learned = dict(PersonIdentity.objects.values_list("identifier", "person__external_id"))
    assert learned["U01ANA"] == "ana"  # users.json says ANA@Example.ORG
    assert learned["U05EVE"] == "eve"
    assert "U06GHOST" not in learned


def test_the_zip_is_read_like_the_folder_and_re_importing_changes_nothing(
    people: dict[str, Person], tmp_path: Path
) -> None:
    run_failing("import_slack", str(EXPORT), *OPTIONS)
    output, _ = run_failing("import_slack", str(zipped(tmp_path)), *OPTIONS)
    assert f"accepted: 0  already present: 17  skipped: 17 ({SKIPPED})  rejected: 4" in output
    assert stored() == EXPECTED


def test_a_zip_with_the_export_in_a_folder(people: dict[str, Person], tmp_path: Path) -> None:
    archive = tmp_path / "nested.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(EXPORT.rglob("*.json")):
            out.write(path, f"Acme Slack export/{path.relative_to(EXPORT).as_posix()}")
    output, _ = run_failing("import_slack", str(archive), *OPTIONS)
    assert SUMMARY in output


def test_mapping_the_unresolved_user_brings_their_records_in(
    people: dict[str, Person],
) -> None:
    run_failing("import_slack", str(EXPORT), *OPTIONS)
    PersonIdentity.objects.create(person=people["fay"], source="slack", identifier="U06GHOST")
    output, _ = run_failing("import_slack", str(EXPORT), *OPTIONS)
    assert "accepted: 2  already present: 17" in output
    assert {("ben", "fay"), ("fay", "ana")} <= {(s, t) for s, t, *_ in stored()}


def test_no_message_content_is_stored_anywhere(people: dict[str, Person]) -> None:
    run_failing("import_slack", str(EXPORT), *OPTIONS)
    assert tables_holding(MARKER) == []


def test_context_options(people: dict[str, Person]) -> None:
    run_failing("import_slack", str(EXPORT), "--context-kind", "topic", "--private-contexts")
    keys = sorted(context.key for context in Context.objects.all())
    # the default of 50 members makes every channel a context; DMs and group DMs never are
    assert keys == ["topic:all-hands", "topic:company", "topic:general", "topic:secret-plans"]


def test_a_broadcast_within_the_default_cap_fans_out_at_one_over_n_minus_one(
    people: dict[str, Person],
) -> None:
    run_failing("import_slack", str(EXPORT))
    company = Interaction.objects.filter(context__name="company")
    weights = sorted(company.values_list("target__external_id", "weight"))
    assert weights == [("ana", 0.2), ("cy", 0.2), ("dee", 0.2), ("eve", 0.2), ("fay", 0.2)]


def test_what_is_not_an_export_is_refused(tmp_path: Path) -> None:
    (tmp_path / "channels.json").write_text("[]")
    _, error = run_failing("import_slack", str(tmp_path))
    assert error.endswith("not a Slack export: no users.json")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    _, error = run_failing("import_slack", str(text))
    assert error.endswith("neither a Slack export folder nor a .zip")


def test_a_clean_export_exits_zero(people: dict[str, Person], tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    shutil.copytree(EXPORT, clean)
    shutil.rmtree(clean / "orphan")
    (clean / "general" / "2024-03-03.json").unlink()
    (clean / "general" / "2024-03-01.json").write_text("[]")
    (clean / "general" / "2024-03-02.json").write_text("[]")
    assert "rejected: 0" in run("import_slack", str(clean))


def test_a_forgotten_parent_falls_back_to_parent_user_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(slack_source, "PARENTS_KEPT", 1)
    items = list(read_export(EXPORT, SlackOptions()))
    general = [i for i in items if getattr(i, "place", "").startswith("general/2024-03-02")]
    replies = [i for i in general if isinstance(i, InteractionRecord)]
    # ben's reply keeps its edge through parent_user_id; eve's reply (no parent_user_id) has none
    assert [(r.source.identifier, r.target.identifier) for r in replies] == [
        ("U02BEN", "U01ANA"),
        ("U01ANA", "U03CY"),
    ]
    unknown = [i for i in general if isinstance(i, Skipped) and i.rule.startswith("reply to")]
    assert len(unknown) == 3  # eve's, the ghost's and the reply outside the export


def test_event_ids_are_stable_and_name_each_edge() -> None:
    ids = [i.event_id for i in read_export(EXPORT) if isinstance(i, InteractionRecord)]
    assert ids == [i.event_id for i in read_export(EXPORT) if isinstance(i, InteractionRecord)]
    assert len(ids) == len(set(ids))
    assert "C01GEN:1709280000.000100:reaction:+1:U02BEN" in ids
    assert "C01GEN:1709370000.000200:reply" in ids
    assert "C01GEN:1709283600.500000:mention:U03CY" in ids
    assert "D01ANABEN:1709290800.000000:dm:U02BEN" in ids
    assert "C02ALL:1709294400.000000:broadcast:U05EVE" in ids


@pytest.mark.integration
@pytest.mark.usefixtures("graph")
def test_the_imported_edges_reach_neo4j(people: dict[str, Person]) -> None:
    run_failing("import_slack", str(EXPORT), *OPTIONS)
    relay.relay(wait_seconds=60)
    assert_no_drift()
    broadcast = gateway.read(probe.INTERACTIONS_BETWEEN, source="ana", target="eve")
    assert broadcast == [
        {"ts": int(at(1, 12).timestamp()), "channel": "chat", "weight": 0.25, "context": None}
    ]
    mention = gateway.read(probe.INTERACTIONS_BETWEEN, source="ben", target="cy")
    general = str(Context.objects.get(kind="community", name="general").uuid)
    assert [(row["weight"], row["context"]) for row in mention] == [(1.0, general)]


def test_odd_messages_are_rejected_or_skipped_never_crash(tmp_path: Path) -> None:
    for name in ("users.json", "channels.json"):
        shutil.copy(EXPORT / name, tmp_path / name)
    (tmp_path / "general").mkdir()
    odd = [
        "just a string",
        {"type": "message", "user": "U01ANA", "ts": 1709280000.5},
        {"type": "message", "user": "U01ANA", "ts": "1709280001.000000", "thread_ts": ["x"]},
        {"type": "message", "ts": "1709280002.000000", "reactions": [{"name": "x", "users": 3}]},
        {"type": "message", "user": "U02BEN", "ts": "1709280003.000000", "reactions": "+1"},
    ]
    (tmp_path / "general" / "2024-03-01.json").write_text(json.dumps(odd))
    (tmp_path / "general" / "2024-03-02.json").write_text('{"not": "a list"}')
    items = [i for i in read_export(tmp_path) if not isinstance(i, IdentityHint)]
    assert items == [
        Rejected("not a message object", "general/2024-03-01.json message 1"),
        Rejected("ts 1709280000.5 is not a Slack timestamp", "general/2024-03-01.json message 2"),
        Skipped("no one addressed", "general/2024-03-01.json message 3"),
        Skipped("no author", "general/2024-03-01.json message 4"),
        Skipped("no one addressed", "general/2024-03-01.json message 5"),
        Rejected("not a list of messages", "general/2024-03-02.json"),
    ]
