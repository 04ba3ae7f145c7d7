from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from reports.models import Report
from sociograph.admin_base import AuditTrailAdmin


@admin.register(Report)
class ReportAdmin(AuditTrailAdmin):
    """The report history, read-only: reports are built by the scheduled task."""

    list_display = ("id", "run", "created_at", "emailed_at", "recipient_count", "files")
    list_select_related = ("run",)
    readonly_fields = ("run", "created_at", "emailed_at", "recipients", "error", "files")
    fields = readonly_fields
    date_hierarchy = "created_at"

    @admin.display(description="recipients")
    def recipient_count(self, report: Report) -> int:
        return len(report.recipients)

    @admin.display(description="files")
    def files(self, report: Report) -> SafeString:
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">HTML</a>',
            reverse("reports:download", args=[report.pk, "pdf"]),
            reverse("reports:download", args=[report.pk, "html"]),
        )
