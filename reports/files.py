"""A stored report's file, as the portal and the API hand it out."""

from __future__ import annotations

from django.http import FileResponse, Http404

from reports.models import Report

FORMATS = ("html", "pdf")


def report_file(report: Report, fmt: str) -> FileResponse:
    """The report's HTML or PDF as a download; 404 for another format or a missing file."""
    if fmt not in FORMATS:
        raise Http404(f"no such format: {fmt} (html or pdf)")
    stored = report.html if fmt == "html" else report.pdf
    if not stored.name or not stored.storage.exists(stored.name):
        raise Http404("the file of this report is missing")
    filename = f"org-health-report-{report.pk}.{fmt}"
    return FileResponse(stored.open("rb"), as_attachment=True, filename=filename)
