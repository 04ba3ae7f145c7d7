from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

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
    actions = ("erase_people",)

    @admin.action(
        description="Erase selected people (right to be forgotten)", permissions=["delete"]
    )
    def erase_people(self, request: HttpRequest, queryset: QuerySet[Person]) -> HttpResponse | None:
        """A confirmation page first; then each person and all their data go, Neo4j included."""
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Erase people",
                "opts": self.model._meta,
                "people": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/people/person/erase_confirmation.html", context)
        people = list(queryset)
        self.delete_objects(people)
        self.message_user(
            request,
            f"Erased {len(people)} people and all their data (SQL, Neo4j, analytics results).",
            messages.SUCCESS,
        )
        return None

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
