"""The portal's pages through Django's test client: who may see what, and what they show."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from analytics.models import MiningRun
from people.models import Context, Person
from sociograph.api.roles import Role, assign_role
from tests.portal.conftest import pk_of

HR_PAGES = ["portal:dashboard", "portal:contexts", "portal:import"]


def leadership_url(key: str) -> str:
    kind, name = key.split(":")
    return reverse("portal:leadership", args=[Context.objects.get(kind=kind, name=name).pk])


def section(html: str, element_id: str) -> str:
    """The markup from the element with this id to the end of its enclosing tag's first close."""
    start = html.index(f'id="{element_id}"')
    tag = html[html.rindex("<", 0, start) + 1 :].split()[0]
    return html[start : html.index(f"</{tag}>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("portal:home", []),
        ("portal:me", []),
        ("portal:dashboard", []),
        ("portal:contexts", []),
        ("portal:leadership", [1]),
        ("portal:person", [1]),
        ("portal:import", []),
        ("portal:run-progress", [1]),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(name: str, args: list[int]) -> None:
    response = Client().get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login") + "?next=")


@pytest.mark.django_db
def test_the_login_page_logs_in_and_shows_errors() -> None:
    user = User.objects.create_user("hr", password="right-password")
    assign_role(user, Role.HR_ADMIN)
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("portal:login"))
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.text
    token = page.cookies["csrftoken"].value
    wrong = {"username": "hr", "password": "wrong", "csrfmiddlewaretoken": token}
    failed = client.post(reverse("portal:login"), wrong)
    assert failed.status_code == 200
    assert "errorlist" in failed.text
    right = {**wrong, "password": "right-password"}
    response = client.post(reverse("portal:login"), right)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == reverse("portal:dashboard")


def test_home_sends_hr_to_the_dashboard_and_others_to_their_page(
    hr: Client, employee: Client
) -> None:
    assert hr.get(reverse("portal:home"))["Location"] == reverse("portal:dashboard")
    assert employee.get(reverse("portal:home"))["Location"] == reverse("portal:me")
    own_page = reverse("portal:person", args=[pk_of("E6")])
    assert employee.get(reverse("portal:me"))["Location"] == own_page


def test_an_employee_sees_only_their_own_page(employee: Client) -> None:
    for name in HR_PAGES:
        assert employee.get(reverse(name)).status_code == 403, name
    assert employee.get(leadership_url("community:Guild")).status_code == 403
    assert employee.post(reverse("portal:start-run")).status_code == 403
    assert employee.get(reverse("portal:person", args=[pk_of("E3")])).status_code == 403
    own = employee.get(reverse("portal:person", args=[pk_of("E6")]))
    assert own.status_code == 200
    assert "Fay" in own.text


def test_a_login_linked_to_nobody_has_no_page_of_its_own(hr: Client) -> None:
    response = hr.get(reverse("portal:me"))
    assert response.status_code == 403
    assert "not linked to a person" in response.text


@pytest.mark.integration
def test_the_dashboard_shows_the_health_trend_and_finding_counts(
    mined: MiningRun, hr: Client
) -> None:
    html = hr.get(reverse("portal:dashboard")).text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart"' in html
    assert html.count('class="series"') == 3  # viability, agility, well-being
    counts = section(html, "finding-counts")
    link = f"/admin/analytics/finding/?run__id__exact={mined.pk}&amp;pattern=informal_leader"
    assert re.search(rf'<a href="{re.escape(link)}">informal_leader</a></td><td>1</td>', counts)
    assert 'id="run-progress"' in html
    assert f"Run {mined.pk}:" in html


@pytest.mark.integration
def test_the_contexts_table_withholds_small_contexts_and_sorts(
    mined: MiningRun, hr: Client
) -> None:
    def order(query: str) -> list[str]:
        html = hr.get(reverse("portal:contexts") + query).text
        return re.findall(r'<tr data-context="([^"]+)"', html)

    html = hr.get(reverse("portal:contexts")).text
    platform = section(html, "context-table").split('data-context="team:Platform"')[1]
    platform = platform.split("</tr>")[0]
    assert "withheld" in platform
    assert not re.search(r"\d\.\d\d", platform)  # no value at all
    assert "<svg" not in platform
    guild = html.split('data-context="community:Guild"')[1].split("</tr>")[0]
    assert 'class="sparkline"' in guild
    assert leadership_url("community:Guild") in guild

    measured = ["community:Guild", "project:Atlas"]
    by_energy = order("?sort=energy&dir=desc")
    assert by_energy[:2] == measured
    assert order("?sort=energy&dir=asc")[:2] == measured[::-1]
    assert order("?sort=size&dir=asc")[:2] == measured[::-1]
    assert set(by_energy[2:]) == {"team:Insights", "team:Leadership", "team:Platform"}


@pytest.mark.integration
def test_the_leadership_view_shows_the_gap(mined: MiningRun, hr: Client) -> None:
    html = hr.get(leadership_url("community:Guild")).text
    recognized = section(html, "recognized-leaders")
    cai = recognized.split('data-person="E3"')[1].split("</tr>")[0]
    assert re.search(r"<td>3</td><td>2</td>", cai)  # 3 followers, 2 recognitions received
    assert 'data-person="E3" class="gap informal"' in recognized
    managers = section(html, "formal-managers")
    assert 'data-person="E5" class="gap"' in managers
    assert 'data-person="E2" class="gap"' in managers  # followed in Platform, not in the Guild
    assert 'data-person="E3"' in section(html, "informal-leaders")
    assert 'data-person="E5"' in section(html, "unrecognized-formal-leaders")
    assert 'data-person="E3"' not in section(html, "unrecognized-formal-leaders")

    small = hr.get(leadership_url("team:Platform")).text
    assert 'id="leadership-withheld"' in small
    assert "data-person" not in small


@pytest.mark.integration
def test_a_person_page_shows_leaders_followers_recognitions_and_diversity(
    mined: MiningRun, hr: Client, employee: Client
) -> None:
    own = employee.get(reverse("portal:person", args=[pk_of("E6")])).text
    assert re.search(r"in community:Guild: Cai", section(own, "leaders"))
    assert re.search(r"Recognitions per month", own)
    assert re.search(r'data-metric="out_degree">3<', own)
    assert 'data-metric="partner_entropy">' in own
    assert 'id="findings"' not in own  # findings are for HR

    cai = hr.get(reverse("portal:person", args=[pk_of("E3")])).text
    assert re.search(r"in community:Guild \(3\): Fay, Gus, Hal", section(cai, "followers"))
    assert 'data-pattern="informal_leader"' in section(cai, "findings")
    months = re.findall(r"<tr><td>(\d{4}-\d\d)</td><td>(\d+)</td><td>(\d+)</td></tr>", cai)
    assert sum(int(received) for _, _, received in months) == 2
    assert sum(int(given) for _, given, _ in months) == 1


@pytest.mark.integration
def test_a_person_who_opted_out_shows_the_record_but_no_analytics(
    mined: MiningRun, hr: Client
) -> None:
    Person.objects.filter(external_id="E3").update(analytics_opt_out=True)
    html = hr.get(reverse("portal:person", args=[pk_of("E3")])).text
    assert "Engineer" in section(html, "person-record")
    assert 'id="opted-out"' in html
    for analytics in ("data-metric", "informal_leader", "Recognitions per month", "Followed by"):
        assert analytics not in html
    guild = hr.get(leadership_url("community:Guild")).text
    assert 'data-person="E3"' not in guild
