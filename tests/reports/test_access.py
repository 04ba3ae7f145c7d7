"""The report history and downloads, in the portal and the API: HR admins only."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.shortcuts import resolve_url
from django.test import Client
from rest_framework.test import APIClient

from reports.models import Report
from reports.services import create_report
from sociograph.accounts.services import issue_token
from tests.support.reports import PlantedRuns, Users

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def report(planted_runs: PlantedRuns) -> Report:
    return create_report(planted_runs.latest)


def portal(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user, days=1)[0]}")
    return client


def body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_hr_admins_see_the_history_with_download_links(report: Report, users: Users) -> None:
    for user in (users.hr, users.superuser):
        page = portal(user).get("/portal/reports/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "portal-nav" in html  # the portal's own layout
        assert f"/portal/reports/{report.pk}/pdf/" in html
        assert f"/portal/reports/{report.pk}/html/" in html


def test_hr_admins_download_both_files(report: Report, users: Users) -> None:
    pdf = portal(users.hr).get(f"/portal/reports/{report.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    assert body(pdf).startswith(b"%PDF")
    html = portal(users.hr).get(f"/portal/reports/{report.pk}/html/")
    assert b"Findings by pattern" in body(html)
    assert portal(users.hr).get(f"/portal/reports/{report.pk}/docx/").status_code == 404
    assert portal(users.hr).get(f"/portal/reports/{report.pk + 1}/pdf/").status_code == 404


@pytest.mark.parametrize("path", ["/portal/reports/", "/portal/reports/{pk}/pdf/"])
def test_the_portal_refuses_everyone_else(report: Report, users: Users, path: str) -> None:
    url = path.format(pk=report.pk)
    anonymous = portal(None).get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={url}"
    for user in (users.employee, users.manager):
        assert portal(user).get(url).status_code == 403


def test_the_api_lists_reports_and_serves_their_files_to_hr_admins(
    report: Report, users: Users
) -> None:
    client = api(users.hr)
    listing = client.get("/api/v1/reports/")
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    (row,) = listing.json()["results"]
    assert row["run"] == report.run_id
    assert row["pdf"].endswith(f"/api/v1/reports/{report.pk}/download/?fmt=pdf")
    assert client.get(f"/api/v1/reports/{report.pk}/").json() == row
    pdf = client.get(row["pdf"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert body(pdf).startswith(b"%PDF")
    assert body(client.get(f"/api/v1/reports/{report.pk}/download/")).startswith(b"%PDF")
    html = client.get(row["html"])
    assert b"What the findings mean" in body(html)
    bad = client.get(f"/api/v1/reports/{report.pk}/download/?fmt=docx")
    assert bad.status_code == 400
    assert "fmt" in bad.json()


@pytest.mark.parametrize(
    "path", ["/api/v1/reports/", "/api/v1/reports/{pk}/", "/api/v1/reports/{pk}/download/"]
)
def test_the_api_refuses_everyone_else(report: Report, users: Users, path: str) -> None:
    url = path.format(pk=report.pk)
    assert api(None).get(url).status_code == 401
    for user in (users.employee, users.manager):
        assert api(user).get(url).status_code == 403


def test_the_admin_lists_reports_read_only_with_their_links(report: Report, users: Users) -> None:
    client = portal(users.superuser)
    listing = client.get("/admin/reports/report/")
    assert listing.status_code == 200
    assert f"/portal/reports/{report.pk}/pdf/" in listing.content.decode()
    assert client.get("/admin/reports/report/add/").status_code == 403
    assert client.get(f"/admin/reports/report/{report.pk}/delete/").status_code == 403
