"""The report history in the HR portal, and report downloads (HR admins only)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from reports import selectors
from reports.files import report_file
from reports.models import Report
from web.portal.access import hr_required

PAGE_SIZE = 50


@hr_required
def history(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.reports(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": "Org-health reports",
        "page": page,
        "failure": selectors.latest_report_failure(),
    }
    return render(request, "reports/history.html", context)


@hr_required
def download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    return report_file(get_object_or_404(Report, pk=pk), fmt)
