from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from sociograph.graph.models import OutboxEntry
from sociograph.graph.outbox import delete_with_outbox, record_change


class ProjectedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Admin edits of projected models go through the outbox like every other write."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        super().save_model(request, obj, form, change)
        record_change(type(obj), [obj.uuid])

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.delete_objects([obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self.delete_objects(list(queryset))

    def delete_objects(self, objs: list[Any]) -> None:
        if objs:
            delete_with_outbox(*objs)


@admin.register(OutboxEntry)
class OutboxEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "entity", "size", "created_at", "attempts", "last_error")
    list_filter = ("entity",)
    readonly_fields = ("entity", "uuids", "created_at", "attempts", "last_error")

    @admin.display(description="entities")
    def size(self, entry: OutboxEntry) -> int:
        return len(entry.uuids)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
