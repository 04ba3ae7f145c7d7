"""Reads for the org-health reports."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from analytics.models import MiningRun
from analytics.selectors import previous_run
from sociograph.api.roles import Role
from sociograph.reports.models import Report


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
