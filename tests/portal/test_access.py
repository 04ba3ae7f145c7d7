"""Who may see and change what in the portal: person pages by scope, the analytics opt-out by
the person themselves (and by an HR admin in the admin, with a recorded reason)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from people.admin import PersonAdminForm
from people.models import OptOutChange, Person
from sociograph.accounts.roles import Role
from tests.support.portal import logged_in, pk_of
from tests.support.users import user_with_role

pytestmark = [pytest.mark.django_db]


def page_of(external_id: str) -> str:
    return reverse("portal:person", args=[pk_of(external_id)])


def opted_out(external_id: str) -> bool:
    return Person.objects.get(external_id=external_id).analytics_opt_out


@pytest.fixture
def manager(planted_org: None) -> Client:
    """Eli (E5), who manages E6-E8 and shares community:Guild with E3 and E4."""
    return logged_in("eli", Role.MANAGER, "E5")


def test_a_manager_opens_their_own_page_only(manager: Client) -> None:
    """A report's page shows individual analytics: the person's and HR's only."""
    assert manager.get(page_of("E5")).status_code == 200
    assert manager.get(page_of("E6")).status_code == 403  # a direct report
    assert manager.get(page_of("E3")).status_code == 403  # a peer in community:Guild
    assert manager.get(reverse("portal:person", args=[999_999])).status_code == 403


def test_an_employee_opts_out_on_their_page_and_back_in(employee: Client) -> None:
    page = employee.get(page_of("E6")).text
    assert 'id="opt-out-form"' in page
    assert "Opt out of analytics" in page
    response = employee.post(reverse("portal:opt-out"), {"analytics_opt_out": "true"})
    assert response.status_code == 302
    assert response["Location"] == page_of("E6")
    assert opted_out("E6")
    assert "Take part in analytics again" in employee.get(page_of("E6")).text
    employee.post(reverse("portal:opt-out"), {"analytics_opt_out": "false"})
    assert not opted_out("E6")
    changes = OptOutChange.objects.filter(person__external_id="E6").order_by("id")
    assert [(c.opted_out, c.by_the_person) for c in changes] == [(True, True), (False, True)]


def test_the_opt_out_form_changes_only_the_callers_own_person(employee: Client) -> None:
    assert (
        employee.post(reverse("portal:opt-out"), {"analytics_opt_out": "maybe"}).status_code == 400
    )
    assert employee.get(reverse("portal:opt-out")).status_code == 405
    assert not Person.objects.filter(analytics_opt_out=True).exists()


def test_hr_sees_no_opt_out_form_on_someone_elses_page_and_cannot_post_it(
    planted_org: None, hr: Client
) -> None:
    assert 'id="opt-out-form"' not in hr.get(page_of("E6")).text
    assert hr.post(reverse("portal:opt-out"), {"analytics_opt_out": "true"}).status_code == 403
    assert not Person.objects.filter(analytics_opt_out=True).exists()


def test_an_anonymous_opt_out_goes_to_the_login_page(planted_org: None) -> None:
    response = Client().post(reverse("portal:opt-out"), {"analytics_opt_out": "true"})
    assert response.status_code == 302
    assert reverse("portal:login") in response["Location"]


def test_the_admin_changes_an_opt_out_only_with_a_reason(planted_org: None) -> None:
    cai = Person.objects.get(external_id="E3")
    fields = {
        "external_id": cai.external_id,
        "name": cai.name,
        "manager": cai.manager_id,
        "is_active": True,
        "analytics_opt_out": True,
    }
    assert "opt_out_reason" in PersonAdminForm(data=fields, instance=cai).errors
    form = PersonAdminForm(data={**fields, "opt_out_reason": "Letter of 2026-10-01"}, instance=cai)
    assert form.is_valid(), form.errors
    admin = user_with_role(None, "root", password="not-used", superuser=True)
    client = Client()
    client.force_login(admin)
    url = reverse("admin:people_person_change", args=[cai.pk])
    management = {
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    refused = client.post(url, {**fields, **management})
    assert refused.status_code == 200  # the form again, with the error
    assert not opted_out("E3")
    saved = client.post(url, {**fields, **management, "opt_out_reason": "Letter of 2026-10-01"})
    assert saved.status_code == 302, saved.content
    assert opted_out("E3")
    [change] = OptOutChange.objects.filter(person=cai)
    assert (change.reason, change.by_the_person, change.changed_by_username) == (
        "Letter of 2026-10-01",
        False,
        "root",
    )
