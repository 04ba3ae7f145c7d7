from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.db import models
from django.db.models import Field
from django.http import HttpRequest

from webhooks.models import Webhook, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("url", "patterns", "is_active", "created_by", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url",)
    readonly_fields = ("created_by", "created_at")
    # The URL is checked by its model field's validator (webhooks.destinations), as in the
    # API; one typed without a scheme is taken as https.
    formfield_overrides: ClassVar[dict[type[Field[Any, Any]], dict[str, Any]]] = {
        models.URLField: {"assume_scheme": "https"}
    }
    # The signing secret is shown once, when the webhook is created through the API.
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("webhook", "finding", "status", "attempts", "response_status", "created_at")
    list_filter = ("status",)
    search_fields = ("webhook__url", "last_error")
    list_select_related = ("webhook", "finding")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
