"""The HR portal in a real browser: dashboard, network explorer, a live mining run, CSV import,
and an employee kept to their own page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from analytics import overview
from people.models import Context, Person
from people.roster import membership_in_force_q, window_days
from sociograph.accounts.roles import Role
from tests.support.e2e import EMPLOYEE_PASSWORD, HR_PASSWORD, HR_USER, log_in
from tests.support.users import user_with_role
from tests.support.workers import wait_for_idle_workers

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("sample_org", "hr_user"),
]

RUN_TIMEOUT_MS = 180_000


def test_hr_admin_sees_the_dashboard_with_a_rendered_chart(
    page: Page, live_server: object, artifacts: Path
) -> None:
    log_in(page, str(live_server), HR_USER, HR_PASSWORD)
    page.goto(f"{live_server}/portal/dashboard/")
    chart = page.locator("svg.line-chart").first
    expect(chart).to_be_visible()
    assert page.locator("svg.line-chart polyline, svg.line-chart circle").count() >= 3
    expect(page.get_by_text(re.compile("viability", re.IGNORECASE)).first).to_be_visible()
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    # An HR admin (the role, not a superuser) follows a finding count into the admin.
    page.locator("a[href*='/admin/analytics/finding/']").first.click()
    expect(page.locator("#result_list")).to_be_visible()
    assert "/admin/login/" not in page.url


def test_the_network_explorer_draws_the_nodes_of_a_team(
    page: Page, live_server: object, artifacts: Path
) -> None:
    team = max(Context.objects.filter(kind="team"), key=lambda context: context.memberships.count())
    log_in(page, str(live_server), HR_USER, HR_PASSWORD)
    page.goto(f"{live_server}/portal/network/?context={team.pk}")
    network = page.locator("#network[data-node-count]")
    expect(network).to_be_visible()
    drawn = int(network.get_attribute("data-node-count") or 0)
    run = overview.latest_run()
    assert run is not None
    end_day = window_days(run.window_start.timestamp(), run.window_end.timestamp())[1]
    in_force = team.memberships.filter(membership_in_force_q(end_day))
    members = in_force.filter(person__analytics_opt_out=False).values("person").distinct()
    assert drawn == members.count()
    # Drawn, not only loaded: every node's box lies inside the visible container.
    outside = page.evaluate(
        """() => {
            const container = document.getElementById("network");
            const cy = container._cyreg.cy;
            const [width, height] = [container.clientWidth, container.clientHeight];
            return cy.nodes().filter((node) => {
                const box = node.renderedBoundingBox();
                return box.x1 < 0 || box.y1 < 0 || box.x2 > width || box.y2 > height
                    || box.w < 2 || !node.visible();
            }).length;
        }"""
    )
    assert outside == 0
    page.screenshot(path=str(artifacts / "network-explorer.png"), full_page=True)


def test_a_mining_run_started_in_the_browser_reaches_100_percent(
    page: Page, live_server: object, artifacts: Path, celery_worker: str
) -> None:
    log_in(page, str(live_server), HR_USER, HR_PASSWORD)
    page.goto(f"{live_server}/portal/dashboard/")
    page.get_by_role("button", name=re.compile("start a mining run", re.IGNORECASE)).click()
    queued = page.get_by_text(re.compile(r"Mining run \d+ queued")).inner_text()
    run_id = re.findall(r"\d+", queued)[0]
    progress = page.locator("#run-progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("value", "100", timeout=RUN_TIMEOUT_MS)
    expect(page.locator("#run-status")).to_contain_text("succeeded", timeout=RUN_TIMEOUT_MS)
    # Once it succeeds the page reloads and shows that run's results.
    expect(page.get_by_text(f"Findings of run {run_id}")).to_be_visible(timeout=RUN_TIMEOUT_MS)
    page.screenshot(path=str(artifacts / "mining-run-finished.png"), full_page=True)
    wait_for_idle_workers()


def test_importing_a_csv_with_a_bad_row_shows_its_line_and_reason(
    page: Page, live_server: object, artifacts: Path, tmp_path: Path
) -> None:
    giver, receiver = Person.objects.order_by("external_id")[:2]
    events = tmp_path / "events.csv"
    events.write_text(
        "kind,source,target,context,at,affect,weight,message\n"
        f"recognition,{giver.external_id},{receiver.external_id},,2026-10-01T10:00:00Z,0.5,,Thanks\n"
        f"recognition,{giver.external_id},NOBODY-42,,2026-10-01T11:00:00Z,0.5,,Thanks\n",
        encoding="utf-8",
    )
    log_in(page, str(live_server), HR_USER, HR_PASSWORD)
    page.goto(f"{live_server}/portal/import/")
    page.get_by_label(re.compile("events", re.IGNORECASE)).check()
    page.set_input_files("input[type=file]", str(events))
    page.locator("form [type=submit]").last.click()
    rejected = page.get_by_role("row", name=re.compile(r"^3 target: 'NOBODY-42' is not a known"))
    expect(rejected).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^Accepted 1$"))).to_be_visible()
    page.screenshot(path=str(artifacts / "import-error-report.png"), full_page=True)


def test_an_employee_sees_their_own_page_and_is_refused_others(
    page: Page, live_server: object, artifacts: Path
) -> None:
    own, other = Person.objects.order_by("external_id")[:2]
    user_with_role(
        Role.EMPLOYEE, "emp", person=own, email="emp@example.org", password=EMPLOYEE_PASSWORD
    )
    log_in(page, str(live_server), "emp", EMPLOYEE_PASSWORD)
    page.goto(f"{live_server}/portal/me/")
    expect(page.locator("body")).to_contain_text(own.name)
    response = page.goto(f"{live_server}/portal/people/{other.pk}/")
    assert response is not None
    assert response.status == 403
    expect(page.locator("body")).not_to_contain_text(other.name)
    for hr_page in ("dashboard/", "contexts/", "network/", "import/"):
        response = page.goto(f"{live_server}/portal/{hr_page}")
        assert response is not None
        assert response.status == 403, hr_page
    page.screenshot(path=str(artifacts / "employee-refused.png"), full_page=True)
