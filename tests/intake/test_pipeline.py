"""The intake pipeline with records made in code: who each identifier is, what is skipped, what is
rejected and listed for HR, and re-imports that change nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intake.models import UnresolvedIdentity
from intake.pipeline import IntakeReport, run_intake
from intake.records import (
    IdentityHint,
    IntakeItem,
    InteractionRecord,
    PersonRef,
    RecognitionRecord,
    Rejected,
    Skipped,
)
from people.models import Context, Person, PersonIdentity
from recognition.models import Interaction, Recognition

pytestmark = pytest.mark.django_db
AT = datetime(2026, 10, 1, 9, tzinfo=UTC)


@pytest.fixture
def people() -> dict[str, Person]:
    made = {
        key: Person.objects.create(external_id=key, name=key, email=f"{key}@Example.org")
        for key in ("ana", "ben", "cy")
    }
    PersonIdentity.objects.create(person=made["cy"], source="slack", identifier="U3")
    return made


def slack(identifier: str, email: str = "") -> PersonRef:
    return PersonRef("slack", identifier, email=email)


def chat(event_id: str, source: PersonRef, target: PersonRef, **extra: object) -> IntakeItem:
    return InteractionRecord(event_id, source, target, AT, "chat", f"msg {event_id}", **extra)  # type: ignore[arg-type]


def run(items: list[IntakeItem]) -> IntakeReport:
    return run_intake(items, "slack", IntakeReport())


def test_identities_resolve_by_identity_then_by_email_case_insensitively(
    people: dict[str, Person],
) -> None:
    report = run(
        [
            IdentityHint(slack("U1", "ANA@example.org")),
            chat("1", slack("U1"), slack("U3")),  # U1 by its hint's e-mail, U3 by identity
            chat("2", slack("U3"), slack("U2", "ben@example.ORG")),
        ]
    )
    assert (report.accepted, report.rejected_count) == (2, 0)
    pairs = set(Interaction.objects.values_list("source__external_id", "target__external_id"))
    assert pairs == {("ana", "cy"), ("cy", "ben")}
    learned = set(PersonIdentity.objects.values_list("identifier", "person__external_id"))
    assert {("U1", "ana"), ("U2", "ben")} <= learned


def test_an_unknown_identity_is_rejected_with_its_place_and_listed_for_hr(
    people: dict[str, Person],
) -> None:
    report = run(
        [
            chat("1", slack("U9", "nobody@example.org"), slack("U3")),
            chat("2", slack("U9"), slack("U3")),
        ]
    )
    assert report.accepted == 0
    assert report.rejected_count == 2
    place, reason = report.rejections[0]
    assert place == "msg 1"
    assert "unknown identity slack:U9" in reason
    listed = UnresolvedIdentity.objects.get()
    assert (listed.source, listed.identifier, listed.occurrences) == ("slack", "U9", 2)
    assert listed.last_place == "msg 2"
    assert not Person.objects.filter(external_id="U9").exists()


def test_an_e_mail_shared_by_two_people_resolves_to_nobody(people: dict[str, Person]) -> None:
    Person.objects.create(external_id="ana2", name="Ana bis", email="ana@example.org")
    report = run([chat("1", slack("U1", "ana@example.org"), slack("U3"))])
    assert report.rejected_count == 1
    assert "matches several people" in report.rejections[0][1]


def test_re_importing_changes_nothing(people: dict[str, Person]) -> None:
    items = [chat("1", slack("U3"), slack("U2", "ben@example.org"))]
    assert run(items).accepted == 1
    again = run(items)
    assert (again.accepted, again.already_present) == (0, 1)
    assert Interaction.objects.count() == 1


def test_skips_rejections_and_self_edges_are_counted(people: dict[str, Person]) -> None:
    report = run(
        [
            Skipped("bot", "msg 1"),
            Skipped("bot", "msg 2"),
            Rejected("no ts", "msg 3"),
            chat("4", slack("U3"), slack("U3")),
        ]
    )
    assert report.skipped == {"bot": 2, "to oneself": 1}
    assert report.rejections == [("msg 3", "no ts")]
    assert report.summary == (
        "accepted: 0  already present: 0  skipped: 3 (bot 2, to oneself 1)  rejected: 1"
    )


def test_contexts_are_created_and_bad_records_rejected(people: dict[str, Person]) -> None:
    report = run(
        [
            chat("1", slack("U3"), slack("U1", "ana@example.org"), context="community:general"),
            chat("2", slack("U3"), slack("U1", "ana@example.org"), context="nonsense"),
            chat("3", slack("U3"), slack("U1", "ana@example.org"), weight=0.0),
        ]
    )
    assert report.accepted == 1
    assert Context.objects.filter(kind="community", name="general").exists()
    reasons = dict(report.rejections)
    assert "context" in reasons["msg 2"]
    assert "weight" in reasons["msg 3"]


def test_recognition_messages_are_not_kept_unless_the_setting_says_so(
    people: dict[str, Person], settings: object
) -> None:
    record = RecognitionRecord(
        "b1",
        slack("U3"),
        slack("U1", "ana@example.org"),
        AT,
        "bonus b1",
        values=("care",),
        message="Thanks for the deploy",
    )
    assert run([record]).accepted == 1
    stored = Recognition.objects.get()
    assert (stored.message, stored.values) == ("", ["care"])
    settings.SOCIOGRAPH_INTAKE_KEEP_RECOGNITION_MESSAGES = True  # type: ignore[attr-defined]
    kept = RecognitionRecord("b2", slack("U3"), slack("U1"), AT, "bonus b2", message="Kept")
    assert run([record, kept]).accepted == 1
    assert Recognition.objects.get(message="Kept")
