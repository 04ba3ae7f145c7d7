"""import_mail on hand-written mailboxes (tests/intake/fixtures/mail): ana's mbox files (INBOX,
Sent), ben's Maildir with a Maildir++ Sent folder, and cy's mbox. Who wrote to whom with which
weight, what is skipped by which rule, what is rejected where, and that no subject or body is
ever stored."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from intake.models import UnresolvedIdentity
from people.models import Person
from recognition.models import Interaction
from tests.support.commands import run, run_failing
from tests.support.interactions import edges_of
from tests.support.stored_text import tables_holding

pytestmark = pytest.mark.django_db
MAIL = Path(__file__).parent / "fixtures" / "mail"
MARKER = "SECRET-MARKER"
INTERNAL = "--internal-domains=example.org"
ALL_RULES = (
    "skipped: 8 (auto-reply 1, bulk 1, distribution list 2, external recipient 1, "
    "external sender 1, mailing list 1, no recipients 1)"
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def people(settings: Settings) -> None:
    settings.SOCIOGRAPH_INTAKE_MAIL_CC_WEIGHT = 0.5
    settings.SOCIOGRAPH_INTAKE_MAIL_LISTS = ["all-staff@example.org", "lists.example.org"]
    for key in ("ana", "ben", "cy", "dee"):
        Person.objects.create(external_id=key, name=key.title(), email=f"{key.title()}@example.org")


def edges() -> Counter[tuple[str, str, float, datetime]]:
    return edges_of("email")


EXPECTED = Counter(
    {
        ("ana", "ben", 1.0, at(5, 7, 15)): 1,  # m1, in ana's Sent and ben's inbox
        ("ana", "cy", 0.5, at(5, 7, 15)): 1,  # m1's Cc
        ("ben", "ana", 1.0, at(5, 9)): 2,  # r1: To, and the reply to m1 (read after r1)
        ("ana", "ben", 1.0, at(6, 12)): 1,  # m3, whose all-staff list is skipped
        ("ana", "dee", 0.5, at(7, 15, 45)): 1,  # m5: upper-case Cc; its external To skipped
        ("cy", "ben", 1.0, at(6, 18, 30)): 1,  # no Message-ID, in cy's mbox and ben's inbox
        ("ben", "dee", 1.0, at(8, 9)): 1,  # b4 in ben's Sent, a folded To
        ("ben", "cy", 1.0, at(8, 9)): 1,
    }
)


def test_a_folder_of_mailboxes_gives_who_wrote_to_whom() -> None:
    output, error = run_failing("import_mail", str(MAIL), INTERNAL)
    assert edges() == EXPECTED
    assert output.splitlines() == [
        "ana/Sent.mbox message 4 <m4@mail.example.org>: unreadable Date 'Tomorrow at nine'",
        f"accepted: 9  already present: 5  {ALL_RULES}  rejected: 1",
    ]
    assert error == "1 record(s) rejected; the others were kept"


def test_re_importing_changes_nothing() -> None:
    run_failing("import_mail", str(MAIL), INTERNAL)
    output, _ = run_failing("import_mail", str(MAIL), INTERNAL)
    assert f"accepted: 0  already present: 14  {ALL_RULES}  rejected: 1" in output
    assert edges() == EXPECTED


def test_no_subject_body_or_display_name_is_stored() -> None:
    run_failing("import_mail", str(MAIL), INTERNAL)
    assert Interaction.objects.count() == 9
    for content in (MARKER, "quarterly", "Alves", "Brook"):
        assert tables_holding(content) == [], content


def test_without_internal_domains_outside_addresses_are_rejected_and_listed() -> None:
    output, _ = run_failing("import_mail", str(MAIL / "ana"))
    assert "accepted: 6  already present: 0" in output
    assert "rejected: 3" in output
    assert "INBOX.mbox message 2 <x1@client.com>: unknown identity email:boss@client.com" in output
    listed = set(UnresolvedIdentity.objects.values_list("source", "identifier", "occurrences"))
    assert listed == {("email", "boss@client.com", 1), ("email", "partner@client.com", 1)}


def test_a_message_without_message_id_is_stored_once_across_mailboxes() -> None:
    output = run("import_mail", str(MAIL / "cy.mbox"), INTERNAL)
    assert output.strip() == (
        "accepted: 1  already present: 0  skipped: 2 (distribution list 1, no recipients 1)  "
        "rejected: 0"
    )
    output = run("import_mail", str(MAIL / "ben"), INTERNAL)
    assert "accepted: 6  already present: 1  skipped: 0  rejected: 0" in output
    assert edges()[("cy", "ben", 1.0, at(6, 18, 30))] == 1


def test_the_cc_weight_is_a_setting(settings: Settings) -> None:
    settings.SOCIOGRAPH_INTAKE_MAIL_CC_WEIGHT = 0.25
    run_failing("import_mail", str(MAIL / "ana" / "Sent.mbox"), INTERNAL)
    weights = dict(Interaction.objects.values_list("target__external_id", "weight"))
    assert (weights["cy"], weights["dee"], weights["ben"]) == (0.25, 0.25, 1.0)
    settings.SOCIOGRAPH_INTAKE_MAIL_CC_WEIGHT = 0.0
    _, error = run_failing("import_mail", str(MAIL / "cy.mbox"))
    assert "SOCIOGRAPH_INTAKE_MAIL_CC_WEIGHT=0.0 must be above 0" in error


def test_what_is_not_a_mailbox_is_refused_as_a_whole(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("Subject: not an mbox\n\nhello\n")
    _, error = run_failing("import_mail", str(text))
    assert error == f"{text}: not an mbox file (it does not begin with a 'From ' line)"
    _, error = run_failing("import_mail", str(tmp_path))
    assert "neither an mbox file, a Maildir folder, nor a folder of them" in error
