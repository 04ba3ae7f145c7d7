"""The browser tests' Chromium, users and logging in through the portal's login page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page

# The real binary, not Debian's /usr/bin/chromium wrapper script (which also works).
DEBIAN_CHROMIUM = Path("/usr/lib/chromium/chromium")
HR_USER, HR_PASSWORD = "hr", "pw-hr-e2e-portal"
EMPLOYEE_PASSWORD = "pw-employee-e2e"
TIMEOUT_MS = 30_000


def chromium_path() -> str:
    if DEBIAN_CHROMIUM.exists():
        return str(DEBIAN_CHROMIUM)
    found = shutil.which(settings.SOCIOGRAPH_CHROMIUM)
    if found is None:
        pytest.fail(f"Chromium not found ({settings.SOCIOGRAPH_CHROMIUM}); run make install")
    return found


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/portal/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[type=submit]")
    page.wait_for_load_state()
