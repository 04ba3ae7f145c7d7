"""The report history in the HR portal, and report downloads (HR admins only)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from sociograph.portal.access import hr_required
from sociograph.reports import selectors
from sociograph.reports.models import Report

PAGE_SIZE = 50
FORMATS = ("html", "pdf")


@hr_required
def history(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.reports(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": "Org-health reports",
        "page": page,
        "failure": selectors.latest_report_failure(),
    }
    return render(request, "reports/history.html", context)


def report_file(report: Report, fmt: str) -> FileResponse:
    """The report's HTML or PDF as a download; 404 for another format or a missing file."""
    if fmt not in FORMATS:
        raise Http404(f"no such format: {fmt} (html or pdf)")
    stored = report.html if fmt == "html" else report.pdf
    if not stored.name or not stored.storage.exists(stored.name):
        raise Http404("the file of this report is missing")
    filename = f"org-health-report-{report.pk}.{fmt}"
    return FileResponse(stored.open("rb"), as_attachment=True, filename=filename)


@hr_required
def download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    return report_file(get_object_or_404(Report, pk=pk), fmt)
