"""Importing CSV files from the browser: the importer's summary and every rejected line."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from people.models import Person
from recognition.models import Follow, Recognition
from tests.support.csv_files import EVENT_HEADER, ORG_HEADER
from tests.support.portal import days_ago

pytestmark = pytest.mark.usefixtures("planted_org")


def upload(client: Client, kind: str, lines: list[str], all_or_nothing: bool = False) -> str:
    content = "\n".join(lines).encode() + b"\n"
    data: dict[str, object] = {"kind": kind, "file": SimpleUploadedFile("f.csv", content)}
    if all_or_nothing:
        data["all_or_nothing"] = "on"
    response = client.post(reverse("portal:import"), data)
    assert response.status_code == 200
    return response.text


def counts(html: str) -> dict[str, int]:
    return {name: int(n) for name, n in re.findall(r'data-count="(\w+)">(\d+)<', html)}


def events_with_a_bad_third_line() -> list[str]:
    return [
        EVENT_HEADER,
        f"recognition,E4,E3,community:Guild,{days_ago(2)},,,,,,",
        f"recognition,E99,E3,community:Guild,{days_ago(2)},,,,,,",
        f"follow,E8,E6,community:Guild,{days_ago(2)},,,,,,",
    ]


def test_the_report_names_each_rejected_line_and_the_good_rows_are_kept(hr: Client) -> None:
    recognitions, lines = Recognition.objects.count(), events_with_a_bad_third_line()
    html = upload(hr, "events", lines)
    assert counts(html) == {"accepted": 2, "already_present": 0, "rejected": 1}
    errors = re.findall(r'<tr data-line="(\d+)"><td>\d+</td><td>([^<]+)</td>', html)
    assert errors == [("3", "source: &#x27;E99&#x27; is not a known person")]
    assert "the accepted rows were kept" in html
    assert Recognition.objects.count() == recognitions + 1
    assert Follow.objects.filter(follower__external_id="E8", leader__external_id="E6").exists()

    again = upload(hr, "events", lines[:2])
    assert counts(again) == {"accepted": 0, "already_present": 1, "rejected": 0}
    assert "data-line" not in again


def test_all_or_nothing_keeps_nothing_when_a_row_is_rejected(hr: Client) -> None:
    recognitions = Recognition.objects.count()
    html = upload(hr, "events", events_with_a_bad_third_line(), all_or_nothing=True)
    assert counts(html) == {"accepted": 0, "already_present": 0, "rejected": 1}
    assert 'data-line="3"' in html
    assert "nothing was kept" in html
    assert Recognition.objects.count() == recognitions


def test_people_are_imported_with_their_manager(hr: Client) -> None:
    html = upload(
        hr,
        "people",
        [ORG_HEADER, "E9,Ivy,ivy@example.org,Engineer,E5,community:Guild", "E10,,,,,"],
    )
    assert counts(html) == {"accepted": 1, "already_present": 0, "rejected": 1}
    assert re.search(r'data-line="3"><td>3</td><td>name: required<', html)
    assert Person.objects.get(external_id="E9").manager == Person.objects.get(external_id="E5")


def test_a_file_of_the_wrong_kind_is_refused_as_a_whole(hr: Client) -> None:
    html = upload(hr, "people", events_with_a_bad_third_line())
    assert "missing column(s)" in html
    assert 'id="import-report"' not in html


def test_only_hr_imports(employee: Client) -> None:
    assert employee.get(reverse("portal:import")).status_code == 403
    content = SimpleUploadedFile("f.csv", b"\n".join(map(str.encode, [ORG_HEADER, "E9,Ivy,,,,"])))
    response = employee.post(reverse("portal:import"), {"kind": "people", "file": content})
    assert response.status_code == 403
    assert not Person.objects.filter(external_id="E9").exists()


def test_a_file_above_the_limit_is_refused_with_the_way_to_import_it(
    hr: Client, settings: Any
) -> None:
    settings.SOCIOGRAPH_PORTAL_IMPORT_MAX_BYTES = 100
    recognitions, lines = Recognition.objects.count(), events_with_a_bad_third_line()
    html = upload(hr, "events", lines)
    assert "the portal imports files of up to 100 bytes" in html
    assert "import_events" in html
    assert Recognition.objects.count() == recognitions
