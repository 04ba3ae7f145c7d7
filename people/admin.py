from typing import Any

from django.contrib import admin

from people.models import Context, Membership, Person
from people.services import erase_person
from sociograph.graph.admin import ProjectedModelAdmin


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    autocomplete_fields = ("context",)


@admin.register(Person)
class PersonAdmin(ProjectedModelAdmin):
    list_display = ("name", "external_id", "title", "manager", "is_active", "analytics_opt_out")
    list_filter = ("is_active", "analytics_opt_out")
    search_fields = ("name", "external_id", "email", "title")
    autocomplete_fields = ("manager",)
    readonly_fields = ("uuid", "created_at", "updated_at")

    def delete_objects(self, objs: list[Any]) -> None:
        for person in objs:
            erase_person(person)  # the right to be forgotten, analytics results included


@admin.register(Context)
class ContextAdmin(ProjectedModelAdmin):
    list_display = ("name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("uuid",)


@admin.register(Membership)
class MembershipAdmin(ProjectedModelAdmin):
    list_display = ("person", "context", "role", "since", "until")
    list_filter = ("context__kind",)
    search_fields = ("person__name", "person__external_id", "context__name")
    autocomplete_fields = ("person", "context")
