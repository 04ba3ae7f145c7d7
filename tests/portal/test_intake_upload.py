"""Importing one file of an intake source from the portal: the command's report, HR only, and a
file that cannot be read as a whole refused with nothing written."""

from __future__ import annotations

import json
import re
import zipfile
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse

from intake.pipeline import IntakeReport
from people.models import Person, PersonIdentity
from recognition.models import Interaction, Recognition
from sociograph.accounts.roles import Role
from tests.support.commands import run_failing
from tests.support.users import client_of, user_with_role
from web.portal.intake_upload import BoundedTemporaryFileHandler

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parents[1] / "intake" / "fixtures"
SLACK_EXPORT = FIXTURES / "slack" / "export"
BONUSES = FIXTURES / "bonusly" / "bonuses.json"
BONUSLY_CY = "58d2f1a0c9e77c0017a1b003"
URL = reverse("portal:import-source")


def add_people(emails: dict[str, str]) -> None:
    for key, email in emails.items():
        Person.objects.create(external_id=key, name=key.title(), email=email)


@pytest.fixture
def slack_people() -> None:
    """The people of tests/intake/fixtures/slack/export; eve, deleted there, by her Slack id."""
    add_people({key: f"{key}@example.org" for key in ("ana", "ben", "cy", "dee", "eve", "fay")})
    PersonIdentity.objects.create(person_id=_pk("eve"), source="slack", identifier="U05EVE")


@pytest.fixture
def bonusly_people() -> None:
    """The people of tests/intake/fixtures/bonusly; cy by their Bonusly id only."""
    add_people(
        {
            "ana": "ana@example.org",
            "ben": "ben@example.org",
            "cy": "cy.nguyen@corp.example",
            "dee": "dee@example.org",
        }
    )
    PersonIdentity.objects.create(person_id=_pk("cy"), source="bonusly", identifier=BONUSLY_CY)


def _pk(external_id: str) -> int:
    return Person.objects.get(external_id=external_id).pk


def slack_zip(tmp_path: Path, extra: dict[str, bytes] | None = None) -> bytes:
    """The fixture export zipped as Slack gives it, with `extra` members stored uncompressed."""
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(SLACK_EXPORT.rglob("*.json")):
            out.write(path, path.relative_to(SLACK_EXPORT).as_posix())
        for name, content in (extra or {}).items():
            out.writestr(name, content, zipfile.ZIP_STORED)
    return archive.read_bytes()


def upload(client: Client, source: str, name: str, content: bytes, **fields: str) -> Any:
    data = {"source": source, "file": SimpleUploadedFile(name, content), **fields}
    return client.post(URL, data)


def imported(client: Client, source: str, name: str, content: bytes) -> str:
    response = upload(client, source, name, content)
    assert response.status_code == 200
    assert 'id="import-report"' in response.text
    return str(response.text)


def counts(html: str) -> dict[str, int]:
    return {name: int(n) for name, n in re.findall(r'data-count="(\w+)">(\d+)<', html)}


def skipped(html: str) -> dict[str, int]:
    return {rule: int(n) for rule, n in re.findall(r'data-skipped="([^"]+)">(\d+)<', html)}


def rejections(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr class="rejection"><td>([^<]*)</td><td>([^<]*)</td>', html)


def field_errors(html: str) -> list[str]:
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*><li>([^<]+)</li>', html)
    return [unescape(error) for error in found]


@pytest.mark.usefixtures("slack_people")
def test_a_slack_export_is_reported_as_the_command_reports_it(hr: Client, tmp_path: Path) -> None:
    html = imported(hr, "slack", "export.zip", slack_zip(tmp_path))
    assert counts(html) == {"accepted": 22, "already_present": 0, "rejected": 4}
    assert skipped(html)["bot"] == 5
    assert skipped(html)["join or leave"] == 2
    places = [place for place, _ in rejections(html)]
    assert "general/2024-03-03.json" in places
    assert "general/2024-03-01.json message 8" in places
    assert reverse("admin:intake_unresolvedidentity_changelist") in html
    assert Interaction.objects.count() == 22

    # the command reads the same records under the same keys: all already there
    output, _ = run_failing("import_slack", str(SLACK_EXPORT))
    assert "accepted: 0  already present: 22" in output


@pytest.mark.usefixtures("bonusly_people")
def test_a_bonusly_export_is_reported_with_its_rejections(hr: Client) -> None:
    html = imported(hr, "bonusly", "bonuses.json", BONUSES.read_bytes())
    assert counts(html) == {"accepted": 8, "already_present": 0, "rejected": 2}
    assert skipped(html) == {"add-on of an unknown bonus": 1, "automated": 2, "to oneself": 1}
    zed = "58d2f1a0c9e77c0017a1b0z9"
    assert (
        "bonuses.json item 8 (bonus 6601d333e4b0f1001f3a0008)",
        f"unknown identity bonusly:{zed} (map it in the admin: Intake &gt; Unresolved identities)",
    ) in rejections(html)
    assert Recognition.objects.count() == 8

    again = imported(hr, "bonusly", "bonuses.json", BONUSES.read_bytes())
    assert counts(again) == {"accepted": 0, "already_present": 8, "rejected": 2}


@pytest.mark.usefixtures("bonusly_people")
def test_only_the_first_rejections_are_listed_with_the_total(
    hr: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.portal.views.intake.REJECTIONS_SHOWN", 1)
    html = imported(hr, "bonusly", "bonuses.json", BONUSES.read_bytes())
    assert len(rejections(html)) == 1
    assert "The first 1 of 2 rejections are listed." in html


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EMPLOYEE])
@pytest.mark.usefixtures("bonusly_people")
def test_only_hr_imports(role: Role) -> None:
    client = client_of(user_with_role(role, person="ana"))
    assert client.get(URL).status_code == 403
    response = upload(client, "bonusly", "bonuses.json", BONUSES.read_bytes())
    assert response.status_code == 403
    assert not Recognition.objects.exists()


def test_the_page_checks_csrf(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role(Role.HR_ADMIN))
    response = upload(client, "bonusly", "bonuses.json", BONUSES.read_bytes())
    assert response.status_code == 403
    assert not Recognition.objects.exists()


def test_the_page_says_what_goes_through_the_commands(hr: Client) -> None:
    html = hr.get(URL).text
    assert "python manage.py import_recognitions PATH --format bonusly" in html
    assert "Maildir" in html
    assert reverse("portal:import-source") in hr.get(reverse("portal:import")).text


def test_an_unknown_source_is_refused(hr: Client) -> None:
    response = upload(hr, "fax", "bonuses.json", BONUSES.read_bytes())
    assert response.status_code == 200
    assert "fax is not a source the portal imports." in field_errors(response.text)
    assert 'id="import-report"' not in response.text


@pytest.mark.parametrize(
    ("source", "name", "content", "error"),
    [
        ("slack", "bonuses.json", b"[]", "Slack export (.zip): bonuses.json is not a .zip file."),
        (
            "slack",
            "export.zip",
            b"hello",
            "Slack export (.zip): export.zip: neither a Slack export folder nor a .zip. "
            "Nothing was imported from it.",
        ),
        (
            "bonusly",
            "bonuses.json",
            b"hello",
            "Bonusly JSON (.json, .jsonl): bonuses.json: neither a JSON array, an object nor "
            "JSON Lines near 'hello'. Nothing was imported from it.",
        ),
        (
            "mail",
            "inbox",
            b"Subject: hello\n",
            "Mail: one mbox file: inbox: not an mbox file (it does not begin with a 'From ' "
            "line). Nothing was imported from it.",
        ),
        ("calendar", "team.ics", b"hello", "Calendar (.ics): team.ics: not a readable iCalendar"),
        ("teams", "chat.json", b"\xff\xfe", "Teams / Graph JSON (.json, .jsonl): chat.json: "),
    ],
)
def test_a_file_of_the_wrong_kind_names_the_source_and_the_reason(
    hr: Client, source: str, name: str, content: bytes, error: str
) -> None:
    response = upload(hr, source, name, content)
    assert response.status_code == 200
    errors = field_errors(response.text)
    assert any(shown.startswith(error) for shown in errors), errors
    assert 'id="import-report"' not in response.text


@pytest.mark.usefixtures("slack_people")
def test_nothing_is_written_when_the_file_turns_out_unreadable_halfway(
    hr: Client, tmp_path: Path
) -> None:
    """More records than the pipeline's batch come before a damaged member of the zip."""
    mentions = [
        {"type": "message", "user": "U01ANA", "text": "<@U02BEN>", "ts": f"1709600000.{n:06}"}
        for n in range(2_500)
    ]
    damaged = b'[{"type": "message", "user": "U02BEN", "text": "DAMAGED", "ts": "1"}]'
    content = slack_zip(
        tmp_path,
        {
            "general/2024-03-05.json": json.dumps(mentions).encode(),
            "secret-plans/2024-03-09.json": damaged,
        },
    ).replace(b"DAMAGED", b"DAMAGES")  # the stored member's CRC no longer matches

    response = upload(hr, "slack", "export.zip", content)
    assert response.status_code == 200
    [error] = field_errors(response.text)
    assert error.startswith("Slack export (.zip): export.zip: damaged .zip: Bad CRC-32")
    assert not Interaction.objects.exists()
    assert not PersonIdentity.objects.filter(source="slack").exclude(identifier="U05EVE").exists()


def test_a_file_above_the_limit_is_refused_with_the_way_to_import_it(
    hr: Client, settings: Any
) -> None:
    settings.SOCIOGRAPH_PORTAL_IMPORT_MAX_BYTES = 100
    response = upload(hr, "bonusly", "bonuses.json", BONUSES.read_bytes())
    size = BONUSES.stat().st_size
    assert (
        f"The file has {size:,} bytes; the portal imports files of up to 100 bytes."
        in response.text
    )
    assert not Recognition.objects.exists()


def test_the_upload_is_streamed_to_a_temporary_file(
    hr: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    received: list[object] = []

    def record(source: object, upload: object, internal_domains: str) -> IntakeReport:
        received.append(upload)
        return IntakeReport()

    monkeypatch.setattr("web.portal.views.intake.import_file", record)
    imported(hr, "bonusly", "bonuses.json", b"[]")
    assert [type(upload) for upload in received] == [TemporaryUploadedFile]


def test_nothing_past_the_limit_is_written_to_disk() -> None:
    handler = BoundedTemporaryFileHandler(RequestFactory().post("/"), limit=10)
    handler.new_file("file", "big.json", "application/json", 25)
    for start in (0, 8, 16):
        assert handler.receive_data_chunk(b"x" * 8, start) is None
    upload = handler.file_complete(24)
    assert isinstance(upload, TemporaryUploadedFile)
    assert upload.size == 24
    assert Path(upload.temporary_file_path()).read_bytes() == b"x" * 8
