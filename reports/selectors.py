"""Reads for the org-health reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q, QuerySet

from analytics.models import MiningRun
from analytics.selectors import previous_run
from reports.models import Report
from sociograph.accounts.roles import Role

REPORT_FAILURE_KEY = "sociograph:reports:latest-failure"


def hr_recipients() -> list[str]:
    """E-mail addresses of the active HR admins (superusers count), each once, sorted."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=Role.HR_ADMIN.value))
        .exclude(email="")
    )
    return sorted({email for email in users.values_list("email", flat=True) if email})


def reports() -> QuerySet[Report]:
    return Report.objects.select_related("run").order_by("-created_at", "-id")


def compared_run(run: MiningRun) -> MiningRun | None:
    """The run a report on `run` compares with: that of the newest report on an earlier run (what
    HR saw last), else the previous succeeded run."""
    if run.finished_at is None:
        return None
    earlier = (
        Report.objects.filter(run__finished_at__lt=run.finished_at, run__status=run.status)
        .select_related("run")
        .order_by("-run__finished_at")
        .first()
    )
    return earlier.run if earlier is not None else previous_run(run)


def scheduled_run(slot: str, task_id: str | None = None) -> MiningRun | None:
    """The weekly task's run for a schedule slot (an ISO date), or the one its task created."""
    runs = MiningRun.objects.filter(params__scheduled_for=slot)
    if task_id is not None:
        runs = runs | MiningRun.objects.filter(params__task_id=task_id)
    return runs.order_by("created_at", "id").first()


def latest_report_failure() -> dict[str, Any] | None:
    """The latest failure to build a report, unless a report was filed since: {"run", "at",
    "error"}."""
    failure: dict[str, Any] | None = cache.get(REPORT_FAILURE_KEY)
    if failure is None:
        return None
    at = datetime.fromisoformat(failure["at"])
    if Report.objects.filter(created_at__gt=at).exists():
        return None
    return {**failure, "at": at}
