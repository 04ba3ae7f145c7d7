from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from intake.models import UnresolvedIdentity
from intake.services import map_identity
from people.models import Person


class MapIdentityForm(forms.ModelForm):  # type: ignore[type-arg]
    person = forms.CharField(
        label="Person's external id",
        help_text="The person this identifier is; then import the source again.",
    )

    class Meta:
        model = UnresolvedIdentity
        fields = ()

    def clean_person(self) -> Person:
        external_id = self.cleaned_data["person"].strip()
        try:
            return Person.objects.get(external_id=external_id)
        except Person.DoesNotExist:
            raise ValidationError(f"no person has the external id {external_id!r}") from None


@admin.register(UnresolvedIdentity)
class UnresolvedIdentityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Identifiers that held up records because they matched nobody: map each to its person."""

    form = MapIdentityForm
    list_display = (
        "source",
        "identifier",
        "email",
        "name",
        "occurrences",
        "first_seen",
        "last_seen",
        "last_place",
    )
    list_filter = ("source",)
    search_fields = ("identifier", "email", "name")
    readonly_fields = list_display

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        map_identity(obj, form.cleaned_data["person"])

    def response_change(self, request: HttpRequest, obj: Any) -> Any:
        # The entry is gone once mapped: back to the list rather than to its page.
        return self.response_post_save_change(request, obj)
