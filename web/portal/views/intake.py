"""Uploading one file of an intake source (a Slack export, a mailbox...) with the report its
command prints."""

from __future__ import annotations

from django.core.management import CommandError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from intake.pipeline import IntakeReport
from intake.records import SourceFormatError
from web.portal.access import hr_required
from web.portal.forms import IntakeUploadForm
from web.portal.intake_upload import (
    SOURCES,
    BoundedTemporaryFileHandler,
    import_file,
    lists_unresolved,
    upload_limit,
)

REJECTIONS_SHOWN = 100


# CSRF is checked by `_upload_source`: the middleware would parse the body (with the default
# handlers, in memory) before the upload handlers below could be set.
@csrf_exempt
@hr_required
def upload_source(request: HttpRequest) -> HttpResponse:
    request.upload_handlers = [BoundedTemporaryFileHandler(request, upload_limit())]
    return _upload_source(request)


@csrf_protect
def _upload_source(request: HttpRequest) -> HttpResponse:
    form = IntakeUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = _import(form)
    return render(request, "portal/import_source.html", _context(form, report))


def _import(form: IntakeUploadForm) -> IntakeReport | None:
    source = SOURCES[form.cleaned_data["source"]]
    upload = form.cleaned_data["file"]
    try:
        return import_file(source, upload, form.cleaned_data["internal_domains"])
    except (SourceFormatError, CommandError) as error:
        form.add_error(
            "file", f"{source.label}: {upload.name}: {error}. Nothing was imported from it."
        )
        return None


def _context(form: IntakeUploadForm, report: IntakeReport | None) -> dict[str, object]:
    context: dict[str, object] = {
        "title": "Import from a source",
        "form": form,
        "report": report,
        "limit": upload_limit(),
        "sources": SOURCES.values(),
    }
    if report is not None:
        context["rejections"] = report.rejections[:REJECTIONS_SHOWN]
        context["skipped"] = sorted(report.skipped.items())
        context["unresolved"] = lists_unresolved(report)
    return context
