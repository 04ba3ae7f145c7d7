"""The portal's pages through Django's test client: who may see what, and what they show."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from analytics.models import Finding, MiningRun, RunStatus
from analytics.services import create_run
from people.models import Context, Membership, Person
from recognition.models import Follow
from reports.explanations import EXPLANATIONS, SINGLE_LEADER_MEANING
from sociograph.accounts.roles import Role
from tests.support.planting import context_metrics
from tests.support.portal import leadership_url, pk_of, planted_run
from tests.support.users import user_with_role
from web.portal.selectors import CONTEXTS_PER_PAGE, shown_health_trend

HR_PAGES = ["portal:dashboard", "portal:contexts", "portal:import"]


def people_in(html: str) -> list[str]:
    return sorted(re.findall(r'data-person="([^"]+)"', html))


def gap_rows(html: str) -> list[str]:
    return sorted(re.findall(r'data-person="([^"]+)" class="gap', html))


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
    user_with_role(Role.HR_ADMIN, "hr", password="right-password")
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
    label = rf'<a href="{re.escape(link)}" title="informal_leader">Informal leaders</a>'
    assert re.search(rf"{label}</td><td>1</td>", counts)
    assert 'id="run-progress"' in html
    assert f"Run {mined.pk}:" in html


@pytest.mark.integration
def test_the_contexts_table_withholds_small_contexts_and_sorts(
    mined: MiningRun, hr: Client
) -> None:
    def order(query: str) -> list[str]:
        html = hr.get(reverse("portal:contexts") + query).text
        keys = re.findall(r'<tr data-context="([^"]+)"', html)
        return [key for key in keys if key != "team:Support"]  # there to pad the org

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
    assert 'data-person="E4"' in recognized  # followed by 2: under the informal threshold of 3
    assert 'data-person="E4" class="gap informal"' not in recognized
    assert people_in(section(html, "informal-leaders")) == ["E3"]
    # A community's formal leaders hold its lead role: E5 manages E6-E8, all in the Guild, yet
    # is no formal leader of it, so no gap.
    assert people_in(section(html, "formal-leaders")) == []
    assert "No member holds the lead role" in section(html, "formal-leaders")
    assert people_in(section(html, "unrecognized-formal-leaders")) == []

    guild = Context.objects.get(kind="community", name="Guild")
    Membership.objects.filter(person__external_id="E5", context=guild).update(role="Lead")
    html = hr.get(leadership_url("community:Guild")).text
    formal = section(html, "formal-leaders")
    assert people_in(formal) == gap_rows(formal) == ["E5"]
    assert people_in(section(html, "unrecognized-formal-leaders")) == ["E5"]

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
    findings = section(cai, "findings")
    assert '<strong title="informal_leader">Informal leaders</strong>' in findings
    assert EXPLANATIONS["informal_leader"].summary in findings
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


@pytest.mark.integration
def test_the_gap_lists_read_the_leadership_patterns_inside_the_context(
    mined: MiningRun, hr: Client
) -> None:
    atlas = Context.objects.get(kind="project", name="Atlas")
    # Cai (E3), followed by three in the Guild (an informal leader there and org-wide), joins
    # Atlas, where nobody follows him; Fay (E6) follows her manager Eli (E5) in Atlas only.
    Membership.objects.create(person=Person.objects.get(external_id="E3"), context=atlas)
    Follow.objects.create(
        follower=Person.objects.get(external_id="E6"),
        leader=Person.objects.get(external_id="E5"),
        context=atlas,
        since=timezone.now() - timedelta(days=10),
    )
    html = hr.get(leadership_url("project:Atlas")).text
    informal = section(html, "informal-leaders")
    unrecognized = section(html, "unrecognized-formal-leaders")
    formal = section(html, "formal-leaders")
    assert 'data-person="E3"' not in informal
    assert people_in(informal) == gap_rows(section(html, "recognized-leaders")) == []
    # Atlas's members E1, E2, E3, E4, E6, E7 report to -, E1, E2, E2, E5, E5: its formal leaders
    # are the managers among them, E1 and E2 (E5 is no member), and neither is followed or
    # recognized here by a report (E2 follows E1 in Leadership, E3 follows E2 in Platform).
    assert people_in(formal) == ["E1", "E2"]
    assert people_in(unrecognized) == gap_rows(formal) == ["E1", "E2"]
    assert 'data-person="E5"' in section(html, "recognized-leaders")  # followed by Fay
    assert "Per-context readings of the org-wide patterns" in " ".join(html.split())


@pytest.mark.django_db
def test_the_dashboard_withholds_the_health_index_of_an_org_under_5_people(hr: Client) -> None:
    health = {"viability": 40.0, "agility": 50.0, "wellbeing": 60.0}
    big = planted_run(14, {**health, "people": 12})
    small = planted_run(7, {"viability": 71.0, "agility": 72.0, "wellbeing": 73.0, "people": 4})
    assert shown_health_trend([big, small]) == {
        name: [value, None] for name, value in health.items()
    }
    html = hr.get(reverse("portal:dashboard")).text
    assert 'id="health-withheld"' in html
    assert 'id="health-index"' not in html

    latest = planted_run(0, {"viability": 45.0, "agility": 55.0, "wellbeing": 65.0, "people": 5})
    unknown = planted_run(21, {"viability": 30.0})  # no head count: withheld too
    assert shown_health_trend([unknown, big, small, latest])["viability"] == [None, 40, None, 45]
    html = hr.get(reverse("portal:dashboard")).text
    assert 'id="health-withheld"' not in html
    assert re.findall(r"<td>(\d+)</td>", section(html, "health-index")) == ["45", "55", "65"]


def plant_findings(run: MiningRun, pattern: str, count: int) -> None:
    for _ in range(count):
        Finding.objects.create(run=run, pattern=pattern, severity="warning")


@pytest.mark.django_db
def test_the_dashboard_labels_findings_in_plain_words_and_shows_the_single_leader_share(
    hr: Client,
) -> None:
    run = planted_run(0, {"people": 40, "single_leader_share": 0.4, "viability": 50.0})
    plant_findings(run, "attention_blindness", 16)
    plant_findings(run, "isolation", 2)
    html = hr.get(reverse("portal:dashboard")).text
    single = " ".join(section(html, "single-leader").split())
    assert "<strong>40 % of people follow a single leader</strong>" in single
    assert re.search(r'title="attention_blindness"[^>]*>16 people in this state</a>', single)
    assert SINGLE_LEADER_MEANING in single
    counts = section(html, "finding-counts")
    assert "attention_blindness" not in counts  # next to the share, not in the list
    isolation = EXPLANATIONS["isolation"]
    assert f'title="isolation">{isolation.title}</a></td><td>2</td>' in counts
    assert f"<td>{isolation.summary}</td>" in counts
    assert ">isolation<" not in html  # no code name shown as a label


@pytest.mark.django_db
def test_the_dashboard_withholds_the_single_leader_share_under_5_people(hr: Client) -> None:
    run = planted_run(0, {"people": 4, "single_leader_share": 0.75})
    plant_findings(run, "attention_blindness", 3)
    html = hr.get(reverse("portal:dashboard")).text
    assert 'id="single-leader-withheld"' in html
    assert "75 %" not in html
    assert "attention_blindness" not in html
    planted_run(-1, {"people": 40})  # newer, without the metric
    html = hr.get(reverse("portal:dashboard")).text
    assert "Not measured in this run." in section(html, "single-leader-share")


@pytest.mark.django_db
def test_the_contexts_table_pages_filters_by_kind_and_sorts_across_pages(hr: Client) -> None:
    run = planted_run(0, {})
    teams = [Context.objects.create(kind="team", name=f"T{i:02}") for i in range(60)]
    for i, team in enumerate(teams):
        context_metrics(run, team, size=6, energy=float(i * 37 % 60))  # a permutation of 0-59
    projects = [Context.objects.create(kind="project", name=f"P{i}") for i in range(3)]
    for i, project in enumerate(projects):
        context_metrics(run, project, size=8, energy=100.0 + i)
    context_metrics(run, Context.objects.create(kind="team", name="Tiny"), size=3, energy=999.0)
    by_energy = sorted(teams, key=lambda team: -(teams.index(team) * 37 % 60))
    expected = [f"project:P{i}" for i in (2, 1, 0)] + [team.key for team in by_energy]

    def rows(query: str) -> list[str]:
        response = hr.get(reverse("portal:contexts") + query)
        assert response.status_code == 200
        return re.findall(r'<tr data-context="([^"]+)"', response.text)

    assert CONTEXTS_PER_PAGE == 50
    first = rows("?sort=energy&dir=desc")
    second = rows("?sort=energy&dir=desc&page=2")
    assert first + second == [*expected, "team:Tiny"]
    assert rows("?sort=energy&dir=desc&page=9") == second  # past the end: the last page
    html = hr.get(reverse("portal:contexts") + "?sort=energy&dir=desc&kind=team&page=2").text
    assert re.findall(r'<tr data-context="([^"]+)"', html) == [
        *(team.key for team in by_energy[50:]),
        "team:Tiny",
    ]
    assert html.count('class="sparkline"') == 10  # energy of the 10 measured teams shown
    pages = section(html, "context-pages")
    assert 'href="?sort=energy&amp;dir=desc&amp;kind=team&amp;page=1"' in pages
    kinds = section(html, "kind-filter")
    assert 'href="?sort=energy&amp;dir=desc&amp;kind=project"' in kinds
    assert 'href="?sort=energy&amp;dir=desc"' in kinds  # all kinds
    assert 'href="?sort=size&amp;dir=asc&amp;kind=team"' in section(html, "context-table")
    assert rows("?kind=project&sort=energy&dir=asc") == [f"project:P{i}" for i in range(3)]
    assert 'id="context-pages"' not in hr.get(reverse("portal:contexts") + "?kind=project").text
    assert rows("?kind=nonsense")[:3] == ["project:P0", "project:P1", "project:P2"]


@pytest.mark.django_db
def test_the_person_page_leaves_out_recognitions_exchanged_with_opted_out_people(
    planted_org: None, hr: Client
) -> None:
    def given_and_received() -> tuple[int, int]:
        html = hr.get(reverse("portal:person", args=[pk_of("E3")])).text
        months = re.findall(r"<tr><td>(\d{4}-\d\d)</td><td>(\d+)</td><td>(\d+)</td></tr>", html)
        return sum(int(given) for _, given, _ in months), sum(int(got) for *_, got in months)

    assert given_and_received() == (1, 2)  # gave Fay (E6) one; received from Fay and Gus
    Person.objects.filter(external_id="E6").update(analytics_opt_out=True)
    assert given_and_received() == (0, 1)


@pytest.mark.django_db
def test_the_person_page_lists_only_leaders_and_followers_employed_today(
    planted_org: None, hr: Client
) -> None:
    def followers_of_cai() -> str:
        html = hr.get(reverse("portal:person", args=[pk_of("E3")])).text
        return section(html, "followers")

    assert "in community:Guild (3): Fay, Gus, Hal" in followers_of_cai()
    today = timezone.localdate()
    Person.objects.filter(external_id="E7").update(left_on=today, is_active=False)
    Person.objects.filter(external_id="E8").update(is_active=False)  # left without a date
    Person.objects.filter(external_id="E6").update(left_on=today + timedelta(days=1))
    assert "in community:Guild (1): Fay" in followers_of_cai()

    Person.objects.filter(external_id="E3").update(left_on=today, is_active=False)
    fay = hr.get(reverse("portal:person", args=[pk_of("E6")])).text
    assert "Follows nobody at the moment" in section(fay, "leaders")


@pytest.mark.django_db
def test_the_person_record_lists_each_context_once(planted_org: None, hr: Client) -> None:
    cai = Person.objects.get(external_id="E3")
    guild = Context.objects.get(kind="community", name="Guild")
    today = timezone.localdate()
    Membership.objects.filter(person=cai, context=guild).update(until=today - timedelta(days=30))
    Membership.objects.create(person=cai, context=guild, since=today - timedelta(days=10))
    record = section(hr.get(reverse("portal:person", args=[cai.pk])).text, "person-record")
    assert record.count("community:Guild") == 1


ANALYTICS_PAGES = ["portal:dashboard", "portal:contexts", "leadership", "person"]


def page_url(name: str) -> str:
    if name == "leadership":
        return leadership_url("community:Guild")
    if name == "person":
        return reverse("portal:person", args=[pk_of("E3")])
    return reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ANALYTICS_PAGES)
def test_pages_say_there_is_no_run_yet_before_the_first_run_succeeds(
    planted_org: None, hr: Client, name: str
) -> None:
    response = hr.get(page_url(name))
    assert response.status_code == 200
    assert 'id="no-run-yet"' in response.text

    run = create_run()
    for status in (RunStatus.QUEUED, RunStatus.RUNNING):
        MiningRun.objects.filter(pk=run.pk).update(status=status)
        response = hr.get(page_url(name))
        assert response.status_code == 200
        assert 'id="no-run-yet"' in response.text
        text = " ".join(response.text.split())
        mentioned = f"when run {run.pk} succeeds" if name == "portal:dashboard" else ""
        assert mentioned in text or f"run {run.pk} is {status}" in text, (name, status)
