"""Admin base classes shared by the apps."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class AuditTrailAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A record written by the application only: listed and read, never added, changed or
    deleted through the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
