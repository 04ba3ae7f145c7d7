"""Thin tasks: load the parameters, call the service (docs/architecture.md, "Celery tasks")."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from outcomes import backtest


@shared_task(name="outcomes.tasks.run_backtest")
def run_backtest(outcome: str, **parameters: Any) -> int:
    """Backtest one outcome (keyword parameters of BacktestConfig, dates as ISO text); the id
    of the stored BacktestResult."""
    return backtest.run_backtest(backtest.BacktestConfig.from_parameters(outcome, parameters)).pk
