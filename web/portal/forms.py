"""Forms of the HR portal."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

PEOPLE, EVENTS = "people", "events"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            (PEOPLE, "People (external_id,name,email,title,manager_external_id,contexts)"),
            (EVENTS, "Events (kind,source,target,context,at,affect,weight,message, …)"),
        ],
        widget=forms.RadioSelect,
        initial=PEOPLE,
    )
    file = forms.FileField(help_text="A UTF-8 CSV file with a header line")
    all_or_nothing = forms.BooleanField(
        required=False,
        label="All or nothing",
        help_text="Keep no row unless every row is accepted",
    )

    def clean_file(self) -> UploadedFile[bytes]:
        """A browser import runs inside the web request: bigger files go through the command."""
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        limit = settings.SOCIOGRAPH_PORTAL_IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"The file has {upload.size:,} bytes; the portal imports files of up to "
                f"{limit:,} bytes. Import bigger files with `python manage.py import_org` or "
                "`import_events`, or through the API's bulk endpoint."
            )
        return upload


class OptOutForm(forms.Form):
    """The person's own choice: leave them out of analytics, or count them in again."""

    analytics_opt_out = forms.TypedChoiceField(
        choices=[("true", "Opt out of analytics"), ("false", "Take part in analytics")],
        coerce=lambda value: value == "true",
    )
