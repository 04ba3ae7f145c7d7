"""Mining runs and results in the admin: browse, filter, and start a run (results are read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from analytics.models import (
    ContextMetric,
    Finding,
    MiningRun,
    OrgMetric,
    PersonMetric,
    RunRelease,
)
from analytics.services import DEFAULT_WINDOW_DAYS, RunAlreadyActive, progress, start_run


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Results are written by mining runs only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MiningRun)
class MiningRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "window_start", "window_end", "created_at", "finished_at")
    list_display_links = ("id",)
    list_filter = ("status",)
    search_fields = ("id", "status", "error")
    readonly_fields = (
        "uuid",
        "status",
        "progress_percent",
        "window_start",
        "window_end",
        "params",
        "steps",
        "graph_size",
        "created_at",
        "started_at",
        "finished_at",
        "error",
    )
    change_list_template = "admin/analytics/miningrun/change_list.html"

    @admin.display(description="progress")
    def progress_percent(self, run: MiningRun) -> str:
        return f"{progress(run):.0%}"

    def get_urls(self) -> list[URLPattern]:
        start = path(
            "start/", self.admin_site.admin_view(self.start_view), name="analytics_miningrun_start"
        )
        return [start, *super().get_urls()]

    def start_view(self, request: HttpRequest) -> HttpResponse:
        """GET: a confirmation form with the window; POST: create the run and queue it."""
        if not request.user.has_perm("analytics.add_miningrun"):
            raise PermissionDenied("starting a mining run needs the add permission of runs")
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "title": "Start a mining run",
                "opts": self.model._meta,
                "window_days": DEFAULT_WINDOW_DAYS,
            }
            return TemplateResponse(request, "admin/analytics/miningrun/start.html", context)
        try:
            window_days = int(request.POST.get("window_days", DEFAULT_WINDOW_DAYS))
        except ValueError:
            window_days = 0
        if window_days < 1:
            self.message_user(
                request, "window_days must be a whole number of days, at least 1", messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:analytics_miningrun_start"))
        try:
            run = start_run(window_days, requested_by=request.user.get_username())
        except RunAlreadyActive as refused:
            self.message_user(request, str(refused), messages.WARNING)
            run = refused.active
        else:
            self.message_user(request, f"Run {run.pk} queued over the last {window_days} days.")
        return HttpResponseRedirect(reverse("admin:analytics_miningrun_change", args=[run.pk]))


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("pattern", "severity", "run", "context", "subject_names", "sensitive")
    list_filter = ("pattern", "severity", "sensitive", "run")
    search_fields = ("pattern", "subjects__name", "subjects__external_id", "context__name")
    readonly_fields = ("run", "pattern", "severity", "subjects", "context", "detail", "sensitive")

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request).select_related("run", "context")
        return queryset.prefetch_related("subjects")

    @admin.display(description="subjects")
    def subject_names(self, finding: Finding) -> str:
        return ", ".join(person.name for person in list(finding.subjects.all())[:12])


class MetricAdmin(ReadOnlyAdmin):
    list_filter = ("metric", "run")
    list_per_page = 100


@admin.register(PersonMetric)
class PersonMetricAdmin(MetricAdmin):
    list_display = ("person", "metric", "value", "run")
    search_fields = ("person__name", "person__external_id", "metric")
    autocomplete_fields = ("person",)


@admin.register(ContextMetric)
class ContextMetricAdmin(MetricAdmin):
    list_display = ("context", "metric", "value", "run")
    search_fields = ("context__name", "metric")


@admin.register(OrgMetric)
class OrgMetricAdmin(MetricAdmin):
    list_display = ("metric", "value", "run")
    search_fields = ("metric",)


@admin.register(RunRelease)
class RunReleaseAdmin(ReadOnlyAdmin):
    """The release rule's decision per run: the groups withheld and why (analytics.release)."""

    list_display = ("run", "decided_at")
    readonly_fields = ("run", "released", "withheld", "decided_at")
