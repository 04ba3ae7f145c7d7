"""What predicts what here: stored backtests read in plain language, starting one, and the
per-person forecast list behind HR's switch (HR admins only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from analytics import overview
from analytics.release import MIN_GROUP_SIZE
from outcomes import selectors
from outcomes.backtest import index_pair
from outcomes.models import BacktestResult, OutcomeKind
from outcomes.readings import read_backtest
from outcomes.risk import NoPersonForecast, person_forecasts
from outcomes.services import queue_backtest, switch_person_forecasts
from web.portal.access import hr_required
from web.portal.forms import BacktestForm, PersonForecastSwitchForm

LIST_SIZE = 100


@hr_required
def backtests(request: HttpRequest) -> HttpResponse:
    """The stored backtests, newest first; POST queues a new one."""
    form = BacktestForm(request.POST) if request.method == "POST" else BacktestForm()
    if form.is_bound and form.is_valid():
        config = form.config()
        queue_backtest(config)
        messages.info(
            request,
            f"Backtest of {config.outcome.replace('_', ' ')} queued (horizon "
            f"{config.horizon_days} days, gap {config.gap_days} days): it appears here when "
            "a worker has run it.",
        )
        return redirect("portal:backtests")
    context = {
        "title": "What predicts what here",
        "results": [read_backtest(result) for result in selectors.backtest_results()[:LIST_SIZE]],
        "form": form,
        "switch": _switch_context(None),
    }
    return render(request, "portal/backtests.html", context, status=400 if form.errors else 200)


@hr_required
def backtest(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(BacktestResult, pk=pk)
    context = {
        "title": f"Backtest {result.pk}: what predicts {result.outcome.replace('_', ' ')}",
        "reading": read_backtest(result),
        "index": _index(result),
        "min_group_size": MIN_GROUP_SIZE,
        "switch": _switch_context(result),
    }
    return render(request, "portal/backtest.html", context)


@require_POST
@hr_required
def switch_person_forecast_list(request: HttpRequest) -> HttpResponse:
    form = PersonForecastSwitchForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("enabled: true or false")
    enabled = form.cleaned_data["enabled"]
    changed = switch_person_forecasts(enabled, request.user)
    state = "on" if enabled else "off"
    if changed is None:
        messages.info(request, f"Per-person forecasts were already {state}.")
    else:
        messages.info(request, f"Per-person forecasts switched {state}.")
    back = form.cleaned_data.get("backtest")
    return redirect("portal:backtest", back) if back else redirect("portal:backtests")


def _index(result: BacktestResult) -> dict[str, Any] | None:
    """The latest run's health index, equal-weight and (when supported) as this backtest
    learned it; None without a run, withheld when the run measured too few people."""
    run = overview.latest_run()
    if run is None:
        return None
    if overview.org_withheld(run):
        return {"run": run, "withheld": True}
    return {"run": run, "withheld": False, **index_pair(result, run)}


def _switch_context(result: BacktestResult | None) -> dict[str, Any]:
    """The switch's state and its last changes; on a departure backtest's page with the switch
    on, the per-person forecasts (or why there are none)."""
    enabled = selectors.person_forecasts_enabled()
    found: dict[str, Any] = {
        "enabled": enabled,
        "changes": list(selectors.person_forecast_switch_changes()[:5]),
        "backtest": result.pk if result else None,
    }
    if enabled and result is not None and result.outcome == OutcomeKind.DEPARTURE:
        try:
            found["forecasts"] = person_forecasts(result)
        except NoPersonForecast as reason:
            found["unavailable"] = str(reason)
    return found
