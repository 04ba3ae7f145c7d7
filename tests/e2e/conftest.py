"""Browser tests: Playwright drives Debian's Chromium (headless) against a live server.

No browser is downloaded at test time: the tests use the Chromium that platform/bin/bootstrap
installs from Debian. Screenshots are kept as test artifacts in var/test-artifacts/e2e/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Browser, Page, sync_playwright

from sociograph.accounts.roles import Role
from sociograph.graph import relay
from tests.support.e2e import HR_PASSWORD, HR_USER, TIMEOUT_MS, chromium_path
from tests.support.users import user_with_role


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(settings.VAR_DIR) / "test-artifacts" / "e2e"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module. Playwright's sync API runs an event loop in this thread
    while it lives; Django's ORM refuses to run beside one unless told that this is deliberate
    (the tests' own queries are synchronous), so the permission lasts exactly as long."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
            yield launched
            launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest, artifacts: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    # The last state of every test is kept, passed or failed.
    opened.screenshot(path=str(artifacts / f"{request.node.name}-last.png"), full_page=True)
    context.close()


@pytest.fixture(scope="session")
def generated_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("e2e-org")
    call_command("generate_org", people=120, seed=11, out=out, events_per_person=40)
    return out


@pytest.fixture
def sample_org(generated_org: Path, graph: None) -> None:
    """The generated organization imported, projected and mined once (synchronously)."""
    call_command("import_org", str(generated_org / "org.csv"))
    call_command("import_events", str(generated_org / "events.csv"))
    relay.relay(wait_seconds=60)
    call_command("mine", sync=True, window_days=90)


@pytest.fixture
def hr_user() -> None:
    user_with_role(Role.HR_ADMIN, HR_USER, email="hr@example.org", password=HR_PASSWORD)
