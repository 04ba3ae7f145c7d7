"""Starting a mining run from the dashboard and following its progress."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from analytics.models import MiningRun
from analytics.services import RunAlreadyActive
from analytics.services import start_run as start_mining_run
from web.portal.access import hr_required
from web.portal.selectors import run_state


@require_POST
@hr_required
def start_run(request: HttpRequest) -> HttpResponse:
    """Queue a run, unless one is queued or running: the dashboard follows that one."""
    try:
        run = start_mining_run(requested_by=request.user.get_username())
    except RunAlreadyActive as refused:
        messages.warning(request, str(refused))
    else:
        messages.info(request, f"Mining run {run.pk} queued.")
    return redirect("portal:dashboard")


@require_GET
@hr_required
def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(run_state(get_object_or_404(MiningRun, pk=pk)))
