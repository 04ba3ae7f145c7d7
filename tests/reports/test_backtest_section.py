"""The report's "What predicts what here": the latest backtest of each outcome, its models whose
interval excludes no effect, the baseline, the plain reading and the caveats; aggregates only,
never a person (reports are e-mailed to HR admins and stored)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from outcomes.backtest import BacktestConfig, run_backtest
from outcomes.readings import CAVEATS
from outcomes.selectors import person_forecasts_enabled
from reports.builder import render_html
from reports.explanations import NO_BACKTEST_YET
from sociograph.accounts.roles import Role
from tests.support.backtests import plant_departure_history, stored_backtest
from tests.support.reports import PlantedRuns
from tests.support.users import client_of, user_with_role

pytestmark = [pytest.mark.django_db]


def backtest_section(html: str) -> str:
    start = html.index(">What predicts what here</h2>")
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html[start:])).split())
    return re.sub(r" ([;,.:])", r"\1", text)


def test_without_a_backtest_the_section_says_none_was_run(planted_runs: PlantedRuns) -> None:
    section = backtest_section(render_html(planted_runs.latest))
    assert NO_BACKTEST_YET.replace("`", "") in section.replace("`", "")
    assert "Observational data" not in section


def test_the_latest_backtest_of_each_outcome_with_the_models_that_forecast(
    planted_runs: PlantedRuns,
) -> None:
    older = stored_backtest(horizon_days=60)
    newer = stored_backtest(seed=4)
    pulse = stored_backtest(
        "wellbeing",
        [
            {"model": "baseline", "rho": 0.02, "rho_ci": [-0.1, 0.12]},
            {"model": "regularized:all", "rho": 0.08, "rho_ci": [-0.05, 0.2], "lift": 0.06},
        ],
        statement="The data do not support a calibrated index: lift in Spearman rho …",
    )
    html = render_html(planted_runs.latest)
    outcomes = re.findall(r'<div class="explanation backtest" data-outcome="(\w+)">', html)
    assert outcomes == ["departure", "wellbeing"]
    section = backtest_section(html)
    assert f"Departures (backtest {newer.pk})" in section
    assert f"(backtest {older.pk})" not in section
    assert f"Well-being answers (backtest {pulse.pk})" in section
    assert "horizon 90 days, gap 28 days, seed 4; 80 people, 24 departures." in section
    assert (
        "Forecasting departures better than chance here: person out degree, all metrics in one "
        "model." in section
    )
    departure_rows = re.findall(r'<tr data-model="([^"]+)">', html.split("data-outcome")[1])
    # The baseline, then only the models whose interval lies above 0.5 (not viability's).
    assert departure_rows == ["baseline", "single:person.out_degree", "regularized:all"]
    assert "the HR-only baseline 0.51 [0.45, 0.57] (the baseline)" in section
    assert (
        "Person out degree forecasts departures better than chance: AUC 0.64 [0.58, 0.70]; the "
        "HR-only baseline scores 0.51. It adds to what HR already knows: lift +0.13 "
        "[+0.05, +0.21]." in section
    )
    assert "viability" not in section
    assert (
        "No model forecasts well-being answers better than chance here: no evidence of a "
        "forecast here." in section
    )
    assert "The data do not support a calibrated index" in section
    for caveat in CAVEATS:
        assert caveat in section


def test_the_section_names_no_person_even_with_per_person_forecasts_on(
    planted_runs: PlantedRuns,
) -> None:
    plant_departure_history()
    run_backtest(BacktestConfig("departure", resamples=50, mine=False))
    hr = user_with_role(Role.HR_ADMIN, "hilda-forecasts")
    client_of(hr).post(reverse("portal:person-forecast-switch"), {"enabled": "true"})
    assert person_forecasts_enabled()
    section = backtest_section(render_html(planted_runs.latest))
    assert "Departures (backtest" in section
    assert not re.search(r"Person \d+|\bP\d+\b|probability", section)
    assert Client().get(reverse("portal:backtests")).status_code == 302  # not public either
