"""The API tests' small organization: its events, who each role's user is, API tokens, and a
stored report."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.management import call_command
from rest_framework.test import APIClient

from analytics.models import MiningRun
from reports.models import Report

EVENTS = [
    "recognition,E3,E2,team:Platform,2026-10-01T09:00:00Z,0.8,,Thanks!,,,care;ownership",
    "recognition,E5,E3,project:Atlas,2026-10-02T09:00:00Z,0.4,,,,,",
    "recognition,E2,E5,,2026-10-02T10:00:00Z,,,,,,",
    "follow,E3,E2,team:Platform,2026-09-01T00:00:00Z,,,,,,",
    "follow,E4,E5,project:Atlas,2026-09-01T00:00:00Z,,,,,,",
    "follow,E2,E1,team:Leadership,2026-09-01T00:00:00Z,,,,,,",
    "interaction,E3,E4,team:Platform,2026-10-03T10:00:00Z,,1,,,chat,",
    "interaction,E4,E3,team:Platform,2026-10-03T10:05:00Z,0.3,,,,chat,",
]

# Who each role's user is: managers and employees act as a person of the small org.
ROLE_PEOPLE = {"hr_admin": "", "manager": "E2", "employee": "E3", "integration": ""}
# Rates no test's hundreds of requests reach (429 is tested in test_resources).
UNTHROTTLED = {"api": "1000000/min", "bulk": "1000000/min"}


@dataclass(frozen=True)
class Org:
    tokens: dict[str, str]

    def client(self, role: str | None) -> APIClient:
        client = APIClient()
        if role is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[role]}")
        return client


def issue_token(username: str, role: str, person: str = "") -> str:
    """A token from `manage.py issue_token` (which makes the user with the role if need be)."""
    out = io.StringIO()
    args = [username, "--role", role] + (["--person", person] if person else [])
    call_command("issue_token", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def stored_report(run: MiningRun) -> Report:
    """A report of `run` with small HTML and PDF files (under the test's MEDIA_ROOT)."""
    report = Report(run=run)
    report.html.save("report.html", ContentFile(b"<p>report</p>"), save=False)
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=False)
    report.save()
    return report
