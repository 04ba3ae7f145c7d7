from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from outcomes.models import Outcome, PersonForecastSwitch
from outcomes.selectors import is_stored
from outcomes.services import delete_outcomes, input_of, problems, save_outcome
from sociograph.admin_base import AuditTrailAdmin

FORM_FIELD_OF = {"scale": "scale_min"}  # the service's field -> the form's


class OutcomeForm(forms.ModelForm):  # type: ignore[type-arg]
    """The rules of outcomes.services.problems, each on its field."""

    class Meta:
        model = Outcome
        fields = (
            "kind",
            "person",
            "context",
            "metric",
            "at",
            "value",
            "scale_min",
            "scale_max",
            "voluntary",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        edited = Outcome(**{name: cleaned.get(name) for name in self.Meta.fields})
        edited.metric = edited.metric or ""
        data = input_of(edited)
        for name, reason in problems(data):
            self.add_error(FORM_FIELD_OF.get(name, name), reason)
        if not self.errors and is_stored(data.key, excluding=self.instance.pk):
            self.add_error(
                None, "This outcome is already stored (same kind, subject, day, context)"
            )
        return cleaned


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = OutcomeForm
    list_display = ("kind", "person", "context", "metric", "at", "value", "voluntary")
    list_filter = ("kind", ("at", admin.DateFieldListFilter), "voluntary")
    search_fields = ("person__external_id", "person__name", "context__name", "metric")
    date_hierarchy = "at"
    autocomplete_fields = ("person", "context")
    list_select_related = ("person", "context")
    readonly_fields = ("outcome_key", "created_at")

    def save_model(self, request: HttpRequest, obj: Outcome, form: Any, change: bool) -> None:
        save_outcome(obj)

    def delete_model(self, request: HttpRequest, obj: Outcome) -> None:
        delete_outcomes([obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Outcome]) -> None:
        delete_outcomes(queryset)


@admin.register(PersonForecastSwitch)
class PersonForecastSwitchAdmin(AuditTrailAdmin):
    """The audit trail of the per-person forecast switch: read only (the portal switches it)."""

    list_display = ("at", "enabled", "changed_by_username")
    readonly_fields = ("at", "enabled", "changed_by", "changed_by_username")
