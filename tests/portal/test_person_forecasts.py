"""The per-person forecast list: off by default (even for HR admins), shown to HR admins only
once one switched it on, each switch recorded; never shown to anyone else, in the API or in a
report."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from scipy.stats import spearmanr

from outcomes.backtest import BacktestConfig, run_backtest
from outcomes.models import BacktestResult, PersonForecastSwitch
from outcomes.risk import PERSON_FORECAST_CAVEAT, PersonForecasts, person_forecasts
from outcomes.selectors import person_forecasts_enabled
from outcomes.services import switch_person_forecasts
from people.models import Person
from sociograph.accounts.roles import Role
from tests.support.backtests import History, plant_departure_history, stored_backtest
from tests.support.portal import logged_in
from tests.support.users import user_with_role

pytestmark = [pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
SWITCH = "portal:person-forecast-switch"


@pytest.fixture
def history() -> History:
    return plant_departure_history()


@pytest.fixture
def backtested(history: History) -> BacktestResult:
    return run_backtest(BacktestConfig("departure", resamples=50, mine=False))


def page_of(result: BacktestResult) -> str:
    return reverse("portal:backtest", args=[result.pk])


def listed(html: str) -> list[tuple[str, float]]:
    """(external id, probability) of each row of the per-person list, in order."""
    rows = re.findall(
        r'<tr data-person="([^"]+)">.*?<td data-probability>([\d.]+)</td></tr>', html, re.S
    )
    return [(external_id, float(probability)) for external_id, probability in rows]


def test_it_is_off_by_default_even_for_hr_admins(backtested: BacktestResult, hr: Client) -> None:
    assert not person_forecasts_enabled()
    html = hr.get(page_of(backtested)).text
    assert "Per-person forecasts are off: none is shown. An HR admin can switch them on" in html
    assert 'id="person-forecast-list"' not in html
    assert listed(html) == []
    assert "Person 1<" not in html  # no person is named on the page


def test_switched_on_hr_admins_see_each_persons_forecast_with_the_caveat(
    history: History, backtested: BacktestResult, hr: Client
) -> None:
    response = hr.post(reverse(SWITCH), {"enabled": "true", "backtest": backtested.pk})
    assert response.status_code == 302
    assert response["Location"] == page_of(backtested)
    html = hr.get(page_of(backtested)).text
    assert PERSON_FORECAST_CAVEAT.replace("'", "&#x27;") in html
    shown = listed(html)
    expected = person_forecasts(backtested)
    assert [person.external_id for person in expected.people] == [pk for pk, _ in shown]
    assert [round(person.probability, 2) for person in expected.people] == [p for _, p in shown]
    assert [p for _, p in shown] == sorted((p for _, p in shown), reverse=True)
    # Everyone employed at the newest snapshot's forecast date who has its metrics, once.
    assert len(shown) == len(set(shown)) == len(history.reciprocity) - departed_before(expected)
    # The planted relation: the lower a person's reciprocity, the likelier they leave (the model
    # also weighs the HR attributes, so the ranks follow reciprocity only in part).
    by_id = {person.person_id: person.probability for person in expected.people}
    pairs = [(history.reciprocity[pk], p) for pk, p in by_id.items()]
    rho = spearmanr([r for r, _ in pairs], [p for _, p in pairs]).statistic
    assert rho < -0.3
    assert all(0 < p < 1 for _, p in shown)


def departed_before(forecasts: PersonForecasts) -> int:
    """People of the newest snapshot who left before its forecast date (not listed)."""
    end = forecasts.run.window_end.date()
    left = Person.objects.filter(left_on__gt=end, left_on__lte=forecasts.at, joined_on__lte=end)
    return left.count()


def test_switching_is_recorded_with_who_and_when_and_off_hides_the_list_again(
    backtested: BacktestResult, hr: Client
) -> None:
    hr.post(reverse(SWITCH), {"enabled": "true"})
    hr.post(reverse(SWITCH), {"enabled": "true"})  # already on: nothing recorded
    hr.post(reverse(SWITCH), {"enabled": "false"})
    changes = list(PersonForecastSwitch.objects.order_by("id"))
    assert [(c.enabled, c.changed_by_username) for c in changes] == [(True, "hr"), (False, "hr")]
    assert all(change.at is not None for change in changes)
    html = hr.get(page_of(backtested)).text
    assert listed(html) == []
    assert "Per-person forecasts are off" in html
    table = html[html.index('id="switch-changes"') :]
    assert re.findall(r"<td>(on|off)</td><td>hr</td>", table) == ["off", "on"]
    assert hr.post(reverse(SWITCH), {"enabled": "maybe"}).status_code == 400
    assert hr.get(reverse(SWITCH)).status_code == 405


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EMPLOYEE, Role.INTEGRATION])
def test_no_other_role_sees_the_list_or_switches_it(
    backtested: BacktestResult, hr: Client, role: Role
) -> None:
    hr.post(reverse(SWITCH), {"enabled": "true"})
    client = logged_in("someone", role, "P1" if role is not Role.INTEGRATION else "")
    assert client.get(page_of(backtested)).status_code == 403
    assert client.post(reverse(SWITCH), {"enabled": "false"}).status_code == 403
    assert person_forecasts_enabled()
    with pytest.raises(PermissionError):
        switch_person_forecasts(False, user_with_role(role, f"direct-{role}"))
    assert PersonForecastSwitch.objects.count() == 1


def test_a_non_departure_backtest_has_no_per_person_list(hr: Client) -> None:
    hr.post(reverse(SWITCH), {"enabled": "true"})
    result = stored_backtest("wellbeing", [])
    html = hr.get(page_of(result)).text
    assert "Per-person forecasts exist for departure backtests only." in html


def test_only_the_portal_page_reads_per_person_forecasts() -> None:
    """Never in the API, the reports, webhooks or intake: the portal's backtest page is the one
    module importing outcomes.risk."""
    importers = set()
    for path in ROOT.glob("[!.]*/**/*.py"):
        if "tests" in path.parts or ".venv" in path.parts or "platform" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.ImportFrom):
                continue
            names = {alias.name for alias in node.names}
            if node.module == "outcomes.risk" or (node.module == "outcomes" and "risk" in names):
                importers.add(path.relative_to(ROOT).as_posix())
    assert importers == {"web/portal/views/outcomes.py"}
