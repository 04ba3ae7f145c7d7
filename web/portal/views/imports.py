"""Importing a CSV of people or events from the browser, with the importer's full report.

The upload is streamed to the same importers as the `import_org` and `import_events` commands.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from people.importers import import_org
from recognition.importers import import_events
from sociograph.ingest.formats import EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS, ORG_COLUMNS
from sociograph.ingest.importing import FileFormatError, ImportReport, read_rows
from web.portal.access import hr_required
from web.portal.forms import EVENTS, ImportForm


def _import(kind: str, upload: UploadedFile[bytes], atomic: bool) -> ImportReport:
    """FileFormatError when the file as a whole cannot be read (header, empty file)."""
    if kind == EVENTS:
        rows = read_rows(upload, EVENT_COLUMNS, OPTIONAL_EVENT_COLUMNS)
        return import_events(rows, atomic=atomic)
    return import_org(read_rows(upload, ORG_COLUMNS), atomic=atomic)


@hr_required
def import_csv(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report, atomic = None, False
    if request.method == "POST" and form.is_valid():
        atomic = form.cleaned_data["all_or_nothing"]
        try:
            report = _import(form.cleaned_data["kind"], form.cleaned_data["file"], atomic)
        except FileFormatError as error:
            form.add_error("file", str(error))
    context = {"title": "Import", "form": form, "report": report, "atomic": atomic}
    return render(request, "portal/import.html", context)
