from typing import Any

from celery import Task
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse

from sociograph.graph.models import OutboxEntry
from sociograph.graph.tasks import reconcile_graph, relay_outbox


class ProjectedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Admin of a projected model: it writes only through its app's services, which hold the
    checks and record the outbox entries. A subclass names them in `save_with_service` and
    `delete_with_service` (and writes its inlines in `save_formset`)."""

    def save_with_service(self, request: HttpRequest, obj: Any, form: ModelForm) -> None:  # type: ignore[type-arg]
        raise NotImplementedError(f"{type(self).__name__} names the service that saves")

    def delete_with_service(self, objs: list[Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} names the service that deletes")

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        self.save_with_service(request, obj, form)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.delete_with_service([obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self.delete_with_service(list(queryset))

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm,  # type: ignore[type-arg]
        formset: BaseModelFormSet,  # type: ignore[type-arg]
        change: bool,
    ) -> None:
        raise NotImplementedError(f"{type(self).__name__} names the service that saves inlines")


@admin.register(OutboxEntry)
class OutboxEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "entity", "size", "created_at", "attempts", "last_error")
    list_filter = ("entity",)
    search_fields = ("entity", "last_error")
    readonly_fields = ("entity", "uuids", "created_at", "attempts", "last_error")
    change_list_template = "admin/graph/outboxentry/change_list.html"

    @admin.display(description="entities")
    def size(self, entry: OutboxEntry) -> int:
        return len(entry.uuids)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path("sync/", self.admin_site.admin_view(self.sync_view), name="graph_sync"),
            path(
                "reconcile/",
                self.admin_site.admin_view(self.reconcile_view),
                name="graph_reconcile",
            ),
            *super().get_urls(),
        ]

    def sync_view(self, request: HttpRequest) -> HttpResponse:
        return self._queue(request, relay_outbox, "Graph sync", "the outbox is relayed now.")

    def reconcile_view(self, request: HttpRequest) -> HttpResponse:
        return self._queue(
            request,
            reconcile_graph,
            "Graph reconcile",
            "SQL and Neo4j are compared entity by entity and any drift is repaired; the worker "
            "log has the report.",
        )

    def _queue(self, request: HttpRequest, task: Task, name: str, effect: str) -> HttpResponse:
        """The admin's graph buttons: POST only, for those who may change the outbox."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("graph.change_outboxentry"):
            raise PermissionDenied(f"{name} needs the change permission of the outbox")
        queued = task.delay()
        self.message_user(request, f"{name} queued (task {queued.id}): {effect}")
        return HttpResponseRedirect(reverse("admin:graph_outboxentry_changelist"))
