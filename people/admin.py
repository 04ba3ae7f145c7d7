from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from people.models import Context, Membership, OptOutChange, Person, PersonIdentity
from people.periods import describe_period
from people.services import (
    PARENT_LOOP,
    REPORTING_LOOP,
    closes_parent_loop,
    closes_reporting_loop,
    delete_contexts,
    delete_identities,
    delete_memberships,
    erase_person,
    overlapping_period,
    record_opt_out_change,
    save_context,
    save_identity,
    save_memberships,
    save_person,
)
from sociograph.admin_base import AuditTrailAdmin
from sociograph.graph.admin import ProjectedModelAdmin
from sociograph.ingest.text import external_id_problem


def _overlap_error(membership: Membership, periods: list[Membership] | None = None) -> str | None:
    """The people.services overlap rule, worded for a form (the person may not be saved yet)."""
    other = overlapping_period(membership, periods)
    if other is None:
        return None
    return f"overlaps {describe_period(other.since, other.until)} in this context"


class MembershipInlineFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    """No two periods of the person in one context overlap: among the rows of the form and
    those stored but not shown."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("context")
        ]
        periods = [form.instance for form in kept]
        shown = {form.instance.pk for form in self.forms if form.instance.pk}
        if self.instance.pk:
            periods += list(Membership.objects.filter(person=self.instance).exclude(pk__in=shown))
        for form in kept:
            same = [p for p in periods if p.context_id == form.instance.context_id]
            error = _overlap_error(form.instance, same)
            if error:
                form.add_error("since", error)


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    formset = MembershipInlineFormSet
    fields = ("context", "role", "since", "until")
    extra = 0
    autocomplete_fields = ("context",)


class MembershipForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Membership
        fields = ("person", "context", "role", "since", "until")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        instance = self.instance
        for name in ("person", "context", "since", "until"):
            if name in cleaned:
                setattr(instance, name, cleaned[name])
        if instance.person_id and instance.context_id:
            error = _overlap_error(instance)
            if error:
                raise ValidationError({"since": error})
        return cleaned


class PersonAdminForm(ModelForm):  # type: ignore[type-arg]
    """A change of `analytics_opt_out` here is an HR admin acting on the person's written
    request: it needs the reason, recorded in OptOutChange."""

    opt_out_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when changing the analytics opt-out: the person's written request "
        "this acts on (recorded).",
    )

    class Meta:
        model = Person
        fields = (
            "external_id",
            "name",
            "email",
            "title",
            "manager",
            "is_active",
            "joined_on",
            "left_on",
            "analytics_opt_out",
            "user",
        )

    def clean_external_id(self) -> str:
        """The safe character set of external ids (sociograph.ingest.text), checked when it is
        typed: an id stored before the rule existed does not block editing the person."""
        external_id: str = self.cleaned_data["external_id"]
        problem = external_id_problem(external_id) if "external_id" in self.changed_data else None
        if problem:
            raise ValidationError(problem)
        return external_id

    def opt_out_changed(self) -> bool:
        if self.instance.pk is None:
            return bool(self.cleaned_data.get("analytics_opt_out"))
        return "analytics_opt_out" in self.changed_data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.opt_out_changed() and not cleaned.get("opt_out_reason", "").strip():
            self.add_error("opt_out_reason", "Give the person's written request.")
        if closes_reporting_loop(self.instance, cleaned.get("manager")):
            self.add_error("manager", REPORTING_LOOP)
        return cleaned


class ContextAdminForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Context
        fields = ("kind", "name", "parent")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if closes_parent_loop(self.instance, cleaned.get("parent")):
            self.add_error("parent", PARENT_LOOP)
        return cleaned


@admin.register(Person)
class PersonAdmin(ProjectedModelAdmin):
    form = PersonAdminForm
    list_display = (
        "name",
        "external_id",
        "title",
        "manager",
        "is_active",
        "joined_on",
        "left_on",
        "analytics_opt_out",
    )
    list_filter = ("is_active", "analytics_opt_out", "joined_on", "left_on")
    search_fields = ("name", "external_id", "email", "title")
    autocomplete_fields = ("manager",)
    readonly_fields = ("uuid", "created_at", "updated_at")
    inlines = (MembershipInline,)
    actions = ("erase_people",)

    def save_with_service(self, request: HttpRequest, obj: Person, form: ModelForm) -> None:  # type: ignore[type-arg]
        save_person(obj)
        if isinstance(form, PersonAdminForm) and form.opt_out_changed():
            record_opt_out_change(obj, request.user, form.cleaned_data["opt_out_reason"])

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm,  # type: ignore[type-arg]
        formset: forms.BaseModelFormSet,  # type: ignore[type-arg]
        change: bool,
    ) -> None:
        """The membership rows, written at once by the service (the form checked them)."""
        saved = formset.save(commit=False)
        save_memberships(saved, deleted=formset.deleted_objects)

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
        self.delete_with_service(people)
        self.message_user(
            request,
            f"Erased {len(people)} people and all their data (SQL, Neo4j, analytics results).",
            messages.SUCCESS,
        )
        return None

    def delete_with_service(self, objs: list[Any]) -> None:
        for person in objs:
            erase_person(person)  # the right to be forgotten, analytics results included


@admin.register(Context)
class ContextAdmin(ProjectedModelAdmin):
    form = ContextAdminForm
    list_display = ("name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("uuid",)

    def save_with_service(self, request: HttpRequest, obj: Context, form: ModelForm) -> None:  # type: ignore[type-arg]
        save_context(obj)

    def delete_with_service(self, objs: list[Any]) -> None:
        delete_contexts(*objs)


@admin.register(Membership)
class MembershipAdmin(ProjectedModelAdmin):
    form = MembershipForm
    list_display = ("person", "context", "role", "since", "until")
    list_filter = ("context__kind",)
    search_fields = ("person__name", "person__external_id", "context__name")
    autocomplete_fields = ("person", "context")

    def save_with_service(self, request: HttpRequest, obj: Membership, form: ModelForm) -> None:  # type: ignore[type-arg]
        save_memberships([obj])

    def delete_with_service(self, objs: list[Any]) -> None:
        delete_memberships(*objs)


@admin.register(OptOutChange)
class OptOutChangeAdmin(AuditTrailAdmin):
    """The record of opt-out changes: read only."""

    list_display = ("at", "person", "opted_out", "by_the_person", "changed_by_username")
    list_filter = ("opted_out", "by_the_person")
    search_fields = ("person__name", "person__external_id", "changed_by_username", "reason")
    readonly_fields = (
        "person",
        "opted_out",
        "by_the_person",
        "changed_by",
        "changed_by_username",
        "reason",
        "at",
    )


@admin.register(PersonIdentity)
class PersonIdentityAdmin(ProjectedModelAdmin):
    """Identifiers of people in other systems, through which intake resolves them
    (docs/intake.md)."""

    list_display = ("person", "source", "identifier", "created_at")
    list_filter = ("source",)
    search_fields = ("identifier", "person__name", "person__external_id", "person__email")
    autocomplete_fields = ("person",)

    def save_with_service(self, request: HttpRequest, obj: PersonIdentity, form: ModelForm) -> None:  # type: ignore[type-arg]
        save_identity(obj)

    def delete_with_service(self, objs: list[Any]) -> None:
        delete_identities(*objs)
