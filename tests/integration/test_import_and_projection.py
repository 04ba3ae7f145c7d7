"""Importers write SQL and the outbox; the relay makes Neo4j match; reconcile proves it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from django.db import transaction

from people.models import Context, Membership, Person
from people.services import erase_person
from recognition.models import Follow, Interaction, Recognition
from sociograph.graph import gateway, relay
from sociograph.graph.cypher import probe
from sociograph.graph.models import OutboxEntry
from sociograph.graph.outbox import delete_with_outbox, record_change
from sociograph.graph.projection import spec_for
from tests.support.commands import assert_no_drift, run, run_failing
from tests.support.csv_files import EVENT_HEADER, write_csv
from tests.support.orgs import STRAY_UUID
from tests.support.workers import wait_for_idle_workers

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("graph")]

GOOD_EVENTS = [
    "recognition,E3,E2,team:Platform,2026-10-01T09:00:00Z,0.8,,Thanks!,,,care;ownership",
    "recognition,E5,E3,project:Atlas,2026-10-02T09:00:00Z,0.4,,,,,",
    "follow,E3,E2,team:Platform,2026-09-01T00:00:00Z,,,,,,",
    "follow,E4,E5,project:Atlas,2026-09-01T00:00:00Z,,,,,,",
    "interaction,E3,E4,team:Platform,2026-10-03T10:00:00Z,,1,,,chat,",
    "interaction,E4,E3,team:Platform,2026-10-03T10:05:00Z,0.3,,,,chat,",
    "interaction,E3,E5,,2026-10-04T15:00:00+02:00,,2.5,,,meeting,",
]


@pytest.fixture
def org(small_org: Path) -> None:
    assert "accepted: 5  already present: 0  rejected: 0" in run("import_org", str(small_org))


@pytest.fixture
def events(org: None, tmp_path: Path) -> Path:
    path = write_csv(tmp_path, "events.csv", EVENT_HEADER, GOOD_EVENTS)
    assert "accepted: 7  already present: 0  rejected: 0" in run("import_events", str(path))
    return path


def test_org_import_builds_people_contexts_memberships_and_the_reporting_line(org: None) -> None:
    assert Person.objects.count() == 5
    assert Person.objects.get(external_id="E3").manager == Person.objects.get(external_id="E2")
    assert Person.objects.get(external_id="E1").manager is None
    assert sorted(c.key for c in Context.objects.all()) == [
        "community:Python Guild",
        "project:Atlas",
        "team:Insights",
        "team:Leadership",
        "team:Platform",
    ]
    assert Membership.objects.count() == 8


def test_everything_written_reaches_neo4j(events: Path) -> None:
    assert OutboxEntry.objects.exists()
    report = relay.relay(wait_seconds=30)
    assert report.entries > 0
    assert not OutboxEntry.objects.exists()
    assert_no_drift()
    rows = gateway.read(probe.INTERACTIONS_BETWEEN, source="E3", target="E5")
    two_pm_utc = int(datetime(2026, 10, 4, 13, 0, tzinfo=UTC).timestamp())
    assert rows == [{"ts": two_pm_utc, "channel": "meeting", "weight": 2.5, "context": None}]


def test_reimporting_the_same_files_duplicates_nothing(small_org: Path, events: Path) -> None:
    assert "accepted: 0  already present: 5  rejected: 0" in run("import_org", str(small_org))
    assert "accepted: 0  already present: 7  rejected: 0" in run("import_events", str(events))
    assert (Recognition.objects.count(), Follow.objects.count(), Interaction.objects.count()) == (
        2,
        2,
        3,
    )


def test_event_ids_make_reimports_idempotent_even_when_content_changes(
    org: None, tmp_path: Path
) -> None:
    first = write_csv(
        tmp_path,
        "a.csv",
        EVENT_HEADER,
        ["interaction,E3,E4,,2026-10-03T10:00:00Z,,1,,chat-42,chat,"],
    )
    corrected = write_csv(
        tmp_path,
        "b.csv",
        EVENT_HEADER,
        ["interaction,E3,E4,,2026-10-03T10:00:07Z,,1,,chat-42,chat,"],
    )
    run("import_events", str(first))
    assert "already present: 1" in run("import_events", str(corrected))
    assert Interaction.objects.count() == 1


BAD_EVENTS = [
    ("recognition,E3,E3,,2026-10-01T09:00:00Z,0.5,,,,,", "self-recognition"),
    ("follow,E3,E2,,2026-10-01T09:00:00Z,,,,,,", "context: a follow is always in a context"),
    ("interaction,E3,E9,,2026-10-01T09:00:00Z,,,,,chat,", "target: 'E9' is not a known person"),
    ("recognition,E3,E2,team:Nowhere,2026-10-01T09:00:00Z,,,,,,", "'team:Nowhere' does not exist"),
    ("recognition,E3,E2,,2026-10-01T09:00:00Z,1.5,,,,,", "affect: 1.5 is outside [-1, 1]"),
    ("recognition,E3,E2,,2999-01-01T00:00:00Z,,,,,,", "is in the future"),
    ("recognition,E3,E2,,last tuesday,,,,,,", "is not an ISO-8601 date-time"),
    (
        "interaction,E3,E2,,2026-10-01T09:00:00Z,,,hello there,,chat,",
        "message: not used by interaction rows",
    ),
    ("recognition,E3,E2,,2026-10-01T09:00:00Z,,3,,,,", "weight: not used by recognition rows"),
    ("interaction,E3,E2,,2026-10-01T09:00:00Z,,,,,pigeon,", "channel: 'pigeon' is not one of"),
    ("interaction,E3,E2,,2026-10-01T09:00:00Z,,-1,,,chat,", "weight: -1 must be greater than 0"),
    ("applause,E3,E2,,2026-10-01T09:00:00Z,,,,,,", "kind: 'applause' is not one of"),
    ("recognition,E3,E2,,2026-10-01T09:00:00Z", "expected 11 fields, found 5"),
]


def test_bad_rows_are_named_by_line_and_reason_and_good_rows_kept(
    org: None, tmp_path: Path
) -> None:
    lines = [GOOD_EVENTS[0], *(line for line, _ in BAD_EVENTS), GOOD_EVENTS[0], GOOD_EVENTS[4]]
    path = write_csv(tmp_path, "mixed.csv", EVENT_HEADER, lines)
    output, error = run_failing("import_events", str(path))
    for offset, (_, reason) in enumerate(BAD_EVENTS):
        line = offset + 3  # header is line 1, the first good row line 2
        assert reason in ("\n" + output).split(f"\nline {line}: ")[1].splitlines()[0]
    duplicate_line = len(BAD_EVENTS) + 3
    assert f"line {duplicate_line}: duplicate of line 2" in output
    assert f"accepted: 2  already present: 0  rejected: {len(BAD_EVENTS) + 1}" in output
    assert "accepted rows were kept" in error
    assert Recognition.objects.count() == 1
    assert Interaction.objects.count() == 1


def test_atomic_keeps_nothing_and_leaves_no_outbox_entry(org: None, tmp_path: Path) -> None:
    OutboxEntry.objects.all().delete()
    lines = [GOOD_EVENTS[0], BAD_EVENTS[0][0]]
    path = write_csv(tmp_path, "atomic.csv", EVENT_HEADER, lines)
    output, error = run_failing("import_events", "--atomic", str(path))
    assert "nothing was kept (--atomic)" in error
    assert "accepted: 0" in output
    assert Recognition.objects.count() == 0
    assert not OutboxEntry.objects.exists()


def test_a_file_with_wrong_columns_is_refused_whole(org: None, tmp_path: Path) -> None:
    path = write_csv(tmp_path, "cols.csv", "kind,source,target,when", [])
    _, error = run_failing("import_events", str(path))
    assert "line 1: missing column(s): context, at, affect, weight, message" in error
    assert "unknown column(s): when" in error


def test_a_file_in_another_encoding_gets_line_errors(org: None, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    text = "\n".join([EVENT_HEADER, GOOD_EVENTS[0], GOOD_EVENTS[4].replace(",chat,", ",chät,")])
    path.write_bytes(text.encode("latin-1") + b"\n")
    output, _ = run_failing("import_events", str(path))
    assert "line 3: channel: not valid UTF-8" in output
    assert Recognition.objects.count() == 1


def test_org_rows_with_problems(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "org.csv",
        "external_id,name,email,title,manager_external_id,contexts",
        [
            "E1,Ada,,CEO,,team:Leadership",
            "E2,Bea,not-an-email,,E1,",
            "E3,Cai,,,E9,team:Platform",
            "E4,,,,E1,",
            "E5,Eli,,,E1,squad:Red",
            "E1,Ada again,,,,",
            "E6,Fay,,,E6,",
        ],
    )
    output, _ = run_failing("import_org", str(path))
    assert "line 3: email: 'not-an-email' is not an email address" in output
    assert "line 4: manager_external_id: 'E9' is not a known person" in output
    assert "line 5: name: required" in output
    assert "line 6: contexts: context kind 'squad' is not one of" in output
    assert "line 7: duplicate of line 2" in output
    assert "line 8: manager_external_id: a person cannot be their own manager" in output
    assert sorted(Person.objects.values_list("external_id", flat=True)) == ["E1", "E3"]


def test_reporting_loops_are_refused(small_org: Path, org: None, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "loop.csv",
        "external_id,name,email,title,manager_external_id,contexts",
        ["E1,Ada Kerr,ada@example.org,Chief Executive Officer,E3,team:Leadership"],
    )
    output, _ = run_failing("import_org", str(path))
    assert "line 2: manager_external_id: would make a reporting loop" in output
    assert Person.objects.get(external_id="E1").manager is None


def test_erasure_reaches_neo4j(events: Path) -> None:
    relay.relay(wait_seconds=30)
    cai = Person.objects.get(external_id="E3")
    erase_person(cai)
    relay.relay(wait_seconds=30)
    assert not Person.objects.filter(external_id="E3").exists()
    assert Interaction.objects.count() == 0  # E3 took part in all three
    assert Recognition.objects.count() == 0
    assert list(Follow.objects.values_list("follower__external_id", flat=True)) == ["E4"]
    assert gateway.read(probe.PEOPLE_WITH_EXTERNAL_ID, external_id="E3") == [{"people": 0}]
    assert gateway.read(probe.RELATIONSHIPS_BY_TYPE) == [
        {"type": "FOLLOWS", "relationships": 1},
        {"type": "MEMBER_OF", "relationships": 6},
        {"type": "REPORTS_TO", "relationships": 3},
    ]
    assert_no_drift()


def test_reconcile_finds_and_repairs_drift(events: Path) -> None:
    relay.relay(wait_seconds=30)
    gateway.write(probe.BREAK_ONE_INTERACTION)
    gateway.write(probe.ADD_STRAY_PERSON, uuid=STRAY_UUID)
    gateway.write(probe.TAMPER_ONE_RECOGNITION)
    output = run("graph_reconcile")
    assert "interaction: sql 3, neo4j 2; missing 1" in output
    assert "person: sql 5, neo4j 6; extra 1" in output
    assert "recognition: sql 2, neo4j 2; different 1" in output
    assert output.strip().endswith("no drift")
    assert_no_drift()


def test_reconcile_without_repair_exits_1(events: Path) -> None:
    relay.relay(wait_seconds=30)
    gateway.write(probe.BREAK_ONE_INTERACTION)
    _, error = run_failing("graph_reconcile", "--no-repair")
    assert "drift found" in error


def test_rebuild_recreates_the_projection(events: Path) -> None:
    relay.relay(wait_seconds=30)
    gateway.write(probe.ADD_STRAY_PERSON, uuid=STRAY_UUID)
    output = run("graph_rebuild")
    assert "interaction: 3" in output
    assert "person: 5" in output
    assert not OutboxEntry.objects.exists()
    assert_no_drift()


def test_graph_sync_reports_what_it_relayed(events: Path) -> None:
    output = run("graph_sync")
    assert "interaction 3" in output
    assert "; 0 pending" in output
    assert run("graph_sync").startswith("relayed 0 outbox entries (nothing pending)")


@pytest.mark.django_db(transaction=True)
def test_a_commit_nudges_a_real_worker_that_relays(
    small_org: Path, tmp_path: Path, celery_worker: str
) -> None:
    run("import_org", str(small_org))
    run("import_events", str(write_csv(tmp_path, "events.csv", EVENT_HEADER, GOOD_EVENTS)))
    deadline = time.monotonic() + 60
    while OutboxEntry.objects.exists():
        assert time.monotonic() < deadline, "the worker did not drain the outbox"
        time.sleep(0.2)
    assert_no_drift()
    wait_for_idle_workers()


def test_changed_events_are_updated_in_place_or_moved(events: Path) -> None:
    relay.relay(wait_seconds=30)
    people = {p.external_id: p for p in Person.objects.all()}
    moved = Interaction.objects.filter(source=people["E3"], target=people["E5"]).get()
    tuned = Recognition.objects.filter(giver=people["E5"]).get()
    with transaction.atomic():
        Interaction.objects.filter(pk=moved.pk).update(target=people["E1"])
        Recognition.objects.filter(pk=tuned.pk).update(affect=-0.25, context=None)
        record_change(Interaction, [moved.uuid])
        record_change(Recognition, [tuned.uuid])
    relay.relay(wait_seconds=30)
    assert gateway.read(probe.INTERACTIONS_BETWEEN, source="E3", target="E5") == []
    assert len(gateway.read(probe.INTERACTIONS_BETWEEN, source="E3", target="E1")) == 1
    assert_no_drift()


def test_an_entry_that_keeps_failing_is_parked_and_later_changes_still_flow(
    events: Path, settings: Any
) -> None:
    relay.relay(wait_seconds=30)
    broken = Recognition.objects.first()
    assert broken is not None
    with transaction.atomic():
        Recognition.objects.filter(pk=broken.pk).update(values=5)  # bypasses validation
        record_change(Recognition, [broken.uuid])
    for _ in range(settings.SOCIOGRAPH_RELAY_MAX_ATTEMPTS):
        with pytest.raises(ValueError, match="expected a list of strings"):
            relay.relay(wait_seconds=30)
    assert relay.parked_entries() == 1
    erase_person(Person.objects.get(external_id="E4"))
    relay.relay(wait_seconds=30)  # the erasure is not held up by the parked entry
    assert gateway.read(probe.PEOPLE_WITH_EXTERNAL_ID, external_id="E4") == [{"people": 0}]
    assert relay.pending_entries() == 0


def test_a_conflicting_event_key_is_skipped_not_fatal(events: Path) -> None:
    from sociograph.ingest.bulk import insert_rows

    existing = Interaction.objects.first()
    assert existing is not None
    row: tuple[object, ...] = (uuid4(), existing.event_key, existing.created_at)
    row += (existing.source_id, existing.target_id, None, "chat", 1.0, None, existing.at)
    columns: tuple[str, ...] = ("uuid", "event_key", "created_at", "source", "target")
    columns += ("context", "channel", "weight", "affect", "at")
    assert insert_rows(Interaction, columns, [row], skip_conflicts_on="event_key") == 0
    assert Interaction.objects.count() == 3


def _snapshot_entries() -> list[OutboxEntry]:
    return list(OutboxEntry.objects.filter(snapshot__isnull=False).order_by("id"))


def test_imported_events_carry_a_snapshot_equal_to_their_rows_read_back_from_sql(
    events: Path,
) -> None:
    entries = _snapshot_entries()
    assert sorted(entry.entity for entry in entries) == ["follow", "interaction", "recognition"]
    for entry in entries:
        spec = spec_for(entry.entity)
        snapshot = entry.snapshot or []
        from_sql = list(spec.to_rows(spec.model._default_manager.filter(uuid__in=entry.uuids)))
        assert sorted(snapshot, key=itemgetter("uuid")) == sorted(from_sql, key=itemgetter("uuid"))
        assert sorted(row["uuid"] for row in snapshot) == sorted(entry.uuids)


def test_replaying_a_snapshot_entry_after_it_was_applied_changes_nothing(events: Path) -> None:
    applied = _snapshot_entries()
    relay.relay(wait_seconds=30)
    before = gateway.read(probe.RELATIONSHIPS_BY_TYPE)
    for entry in applied:  # as if the relay had crashed after Neo4j committed, before deleting
        OutboxEntry.objects.create(entity=entry.entity, uuids=entry.uuids, snapshot=entry.snapshot)
    assert relay.relay(wait_seconds=30).entries == 3
    assert gateway.read(probe.RELATIONSHIPS_BY_TYPE) == before
    assert gateway.read(probe.DUPLICATED_RELATIONSHIP_UUIDS) == [{"duplicated": 0}]
    assert_no_drift()


def test_later_changes_to_snapshotted_events_win(events: Path) -> None:
    people = {p.external_id: p for p in Person.objects.all()}
    moved = Interaction.objects.filter(source=people["E3"], target=people["E5"]).get()
    with transaction.atomic():  # before the import's entries were relayed
        Interaction.objects.filter(pk=moved.pk).update(target=people["E1"])
        record_change(Interaction, [moved.uuid])
    delete_with_outbox(Recognition.objects.filter(giver=people["E5"]).get())
    relay.relay(wait_seconds=30)
    assert gateway.read(probe.INTERACTIONS_BETWEEN, source="E3", target="E5") == []
    assert len(gateway.read(probe.INTERACTIONS_BETWEEN, source="E3", target="E1")) == 1
    assert_no_drift()


def test_a_snapshot_naming_a_missing_person_fails_and_is_then_reread_from_sql(
    events: Path,
) -> None:
    relay.relay(wait_seconds=30)
    recognition = Recognition.objects.first()
    assert recognition is not None
    spec = spec_for("recognition")
    [row] = spec.to_rows(Recognition.objects.filter(pk=recognition.pk))
    stray = [{**row, "target": STRAY_UUID}]
    OutboxEntry.objects.create(entity="recognition", uuids=[row["uuid"]], snapshot=stray)
    with pytest.raises(relay.ProjectionError, match="missing from the graph"):
        relay.relay(wait_seconds=30)
    failed = OutboxEntry.objects.get()
    assert failed.attempts == 1
    assert failed.snapshot is None  # the retry reads SQL, which names a person that exists
    relay.relay(wait_seconds=30)
    assert relay.pending_entries() == 0
    assert_no_drift()
