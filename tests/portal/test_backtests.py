"""What predicts what here: the stored backtests in the portal, read in plain language, for HR
admins only; starting one from the form (run by a real worker)."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from outcomes.models import BacktestResult, PersonForecastSwitch
from outcomes.readings import CAVEATS
from sociograph.accounts.roles import Role
from tests.support.backtests import BINS, plant_departure_history, stored_backtest
from tests.support.portal import logged_in, planted_run
from tests.support.workers import wait_for_idle_workers

pytestmark = [pytest.mark.django_db]

BACKTEST_TIMEOUT_SECONDS = 120


def text_of(html: str) -> str:
    """The text of `html`, a tag read as a space (none before punctuation)."""
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    return re.sub(r" ([;,.:])", r"\1", text)


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return text_of(html[start : html.index("</section>", start)])


def row_of(html: str, model: str) -> str:
    found = re.search(rf'<tr data-model="{re.escape(model)}">(.*?)</tr>', html, re.S)
    assert found is not None, model
    return text_of(found.group(1))


def detail_url(result: BacktestResult) -> str:
    return reverse("portal:backtest", args=[result.pk])


def test_the_list_shows_the_stored_backtests_newest_first_with_their_reading(hr: Client) -> None:
    older = stored_backtest(horizon_days=60, gap_days=14, seed=3)
    newer = stored_backtest(
        "wellbeing",
        [
            {"model": "baseline", "rho": 0.02, "rho_ci": [-0.1, 0.12], "n_subjects": 30},
            {"model": "regularized:all", "rho": 0.08, "rho_ci": [-0.05, 0.2], "n_subjects": 30},
        ],
    )
    html = hr.get(reverse("portal:backtests")).text
    assert re.findall(r'<tr data-backtest="(\d+)">', html) == [str(newer.pk), str(older.pk)]
    rows = re.findall(r'<tr data-backtest="\d+">(.*?)</tr>', html, re.S)
    assert "well-being answers" in text_of(rows[0])
    assert "No model forecasts well-being answers better than chance here" in text_of(rows[0])
    assert "60 d / 14 d / 3" in text_of(rows[1])
    assert "2024-01-08 to 2025-06-30" in text_of(rows[1])
    assert (
        "Forecasting departures better than chance here: person out degree, all metrics in one "
        "model." in text_of(rows[1])
    )
    assert f'href="{detail_url(older)}"' in html


def test_no_backtest_yet_is_said_plainly(hr: Client) -> None:
    html = hr.get(reverse("portal:backtests")).text
    assert "No backtest has been run yet" in text_of(html)


def test_the_detail_page_shows_each_model_with_its_interval_lift_and_reading(hr: Client) -> None:
    result = stored_backtest(seed=5)
    html = hr.get(detail_url(result)).text
    assert row_of(html, "baseline") == (
        "the HR-only baseline 0.51 [0.45, 0.57] 0.30 [0.20, 0.40] (the baseline) 80 24"
    )
    assert row_of(html, "single:person.out_degree") == (
        "person out degree 0.64 [0.58, 0.70] 0.30 [0.20, 0.40] +0.13 [+0.05, +0.21] 80 24"
    )
    assert row_of(html, "health.viability") == (
        "the health index's viability 0.55 [0.48, 0.62] 0.30 [0.20, 0.40] +0.04 [-0.03, +0.11] "
        "80 24"
    )
    readings = section(html, "backtest-readings")
    assert (
        "Person out degree forecasts departures better than chance: AUC 0.64 [0.58, 0.70]; the "
        "HR-only baseline scores 0.51. It adds to what HR already knows: lift +0.13 "
        "[+0.05, +0.21]." in readings
    )
    # An interval including 0.5: no evidence, whatever the point estimate.
    assert (
        "The health index's viability: AUC 0.55 [0.48, 0.62], no evidence of a forecast here; "
        "the HR-only baseline scores 0.51. No evidence that it adds to what HR already knows: "
        "lift +0.04 [-0.03, +0.11]." in readings
    )
    # Better than chance, but not better than the baseline.
    assert (
        "All metrics in one model forecasts departures better than chance: AUC 0.62 "
        "[0.56, 0.68]; the HR-only baseline scores 0.51. No evidence that it adds to what HR "
        "already knows: lift +0.10 [-0.01, +0.21]." in readings
    )
    assert "The HR-only baseline: AUC 0.51 [0.45, 0.57], no evidence of a forecast here." in (
        readings
    )
    meta = text_of(html)
    assert "Data from 2024-01-08 to 2025-06-30; 80 people, 24 departures." in meta
    assert "Horizon 90 days, gap 28 days" in meta
    assert "seed 5, 500 bootstrap resamples" in meta


def test_the_detail_page_shows_the_calibration_bins_and_the_caveats(hr: Client) -> None:
    html = hr.get(detail_url(stored_backtest())).text
    calibration = section(html, "calibration-heading")
    assert "person out degree: Brier score 0.183" in calibration
    first, second = BINS
    assert f"1 {first['predicted']:.3f} {first['observed']:.3f} {first['n']}" in calibration
    assert f"2 {second['predicted']:.3f} {second['observed']:.3f} {second['n']}" in calibration
    caveats = section(html, "caveats-heading")
    for caveat in CAVEATS:
        assert caveat in caveats
    assert "never a verdict on a person" in caveats


def test_a_numeric_backtest_reads_rho_and_an_interval_including_zero_as_no_evidence(
    hr: Client,
) -> None:
    result = stored_backtest(
        "engagement",
        [
            {"model": "baseline", "rho": 0.02, "rho_ci": [-0.1, 0.12], "mae": 0.2},
            {
                "model": "single:team.energy",
                "rho": 0.31,
                "rho_ci": [0.18, 0.43],
                "mae": 0.15,
                "mae_ci": [0.12, 0.18],
                "lift": 0.29,
                "lift_ci": [0.12, 0.44],
                "calibration": {"slope": 0.9, "intercept": 0.05},
            },
            {"model": "health.wellbeing", "rho": 0.08, "rho_ci": [-0.05, 0.2], "lift": 0.06},
        ],
    )
    html = hr.get(detail_url(result)).text
    assert row_of(html, "single:team.energy") == (
        "team energy 0.31 [0.18, 0.43] 0.15 [0.12, 0.18] +0.29 [+0.12, +0.44] 0 0"
    )
    readings = section(html, "backtest-readings")
    assert (
        "Team energy forecasts engagement answers (a positive rank correlation): Spearman rho "
        "0.31 [0.18, 0.43]; the HR-only baseline scores 0.02. It adds to what HR already knows"
        in readings
    )
    assert (
        "The health index's well-being: Spearman rho 0.08 [-0.05, 0.20], no evidence of a "
        "forecast here" in readings
    )
    assert "slope 0.9, intercept 0.05" in section(html, "calibration-heading")


def test_the_calibrated_index_is_shown_next_to_the_equal_weight_one_with_its_backtest(
    hr: Client,
) -> None:
    planted_run(
        1,
        {"people": 40, "viability": 61.0, "agility": 50.0, "wellbeing": 70.0}
        | {"viability.reciprocity": 0.8, "agility.exploration": 0.4},
    )
    weights = {"viability.reciprocity": 0.75, "agility.exploration": -0.25}
    result = stored_backtest(weights=weights, statement="A calibrated index is supported: …")
    html = hr.get(detail_url(result)).text
    index = section(html, "index-heading")
    assert "Equal weights 61 50 70" in index
    # 100 * (0.75 * 0.8 - 0.25 * 0.4) / (0.75 + 0.25)
    assert (
        f"Calibrated index (learned from backtest {result.pk} (departure, 2024-01-08..2025-06-30)"
        "): 50; weights viability.reciprocity 0.75, agility.exploration -0.25." in index
    )
    assert "A calibrated index is supported" in index


def test_without_support_the_page_says_the_data_do_not_support_a_calibrated_index(
    hr: Client,
) -> None:
    planted_run(1, {"people": 40, "viability": 61.0, "agility": 50.0, "wellbeing": 70.0})
    index = section(hr.get(detail_url(stored_backtest())).text, "index-heading")
    assert "Equal weights 61 50 70" in index
    assert "Calibrated index" not in index
    assert "The data do not support a calibrated index: lift in AUC over the HR baseline" in index


def test_the_form_rejects_bad_input_naming_the_field(hr: Client) -> None:
    url = reverse("portal:backtests")
    response = hr.post(url, {"outcome": "team_result", "horizon_days": 90, "gap_days": 28})
    assert response.status_code == 400
    assert "A team-result backtest needs the KPI" in text_of(response.text)
    response = hr.post(url, {"outcome": "departure", "horizon_days": 0, "gap_days": 28})
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in text_of(response.text)
    response = hr.post(url, {"outcome": "salary", "horizon_days": 90, "gap_days": 28})
    assert "salary is not an outcome a backtest forecasts." in text_of(response.text)
    response = hr.post(
        url, {"outcome": "departure", "horizon_days": 90, "gap_days": 28, "metric": "delivery"}
    )
    assert "Only a team-result backtest names a KPI." in text_of(response.text)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_form_queues_a_backtest_that_a_worker_runs(celery_worker: str) -> None:
    wait_for_idle_workers()
    plant_departure_history()
    hr = logged_in("hr", Role.HR_ADMIN)
    response = hr.post(
        reverse("portal:backtests"),
        {"outcome": "departure", "horizon_days": 90, "gap_days": 28},
        follow=True,
    )
    assert "Backtest of departure queued (horizon 90 days, gap 28 days)" in text_of(response.text)
    deadline = time.monotonic() + BACKTEST_TIMEOUT_SECONDS
    while not BacktestResult.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    result = BacktestResult.objects.get()
    assert (result.outcome, result.parameters["horizon_days"], result.parameters["gap_days"]) == (
        "departure",
        90,
        28,
    )
    assert len(result.parameters["snapshot_runs"]) == 5  # the planted snapshots, none mined
    html = hr.get(reverse("portal:backtests")).text
    assert f'<tr data-backtest="{result.pk}">' in html


# --- who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EMPLOYEE, Role.INTEGRATION])
def test_everyone_but_hr_admins_gets_403(planted_org: None, role: Role) -> None:
    client = logged_in("someone", role, "E5" if role is not Role.INTEGRATION else "")
    result = stored_backtest()
    assert client.get(reverse("portal:backtests")).status_code == 403
    assert client.get(detail_url(result)).status_code == 403
    started = client.post(reverse("portal:backtests"), {"outcome": "departure"})
    assert started.status_code == 403
    switched = client.post(reverse("portal:person-forecast-switch"), {"enabled": "true"})
    assert switched.status_code == 403
    assert not PersonForecastSwitch.objects.exists()


def test_an_anonymous_visitor_goes_to_the_login_page(db: None) -> None:
    result = stored_backtest()
    for url in (reverse("portal:backtests"), detail_url(result)):
        response = Client().get(url)
        assert response.status_code == 302
        assert reverse("portal:login") in response["Location"]


def test_the_portal_menu_links_the_page_for_hr_only(hr: Client, employee: Client) -> None:
    assert reverse("portal:backtests") in hr.get(reverse("portal:dashboard")).text
    assert reverse("portal:backtests") not in employee.get(reverse("portal:me")).text
