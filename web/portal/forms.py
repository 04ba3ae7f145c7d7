"""Forms of the HR portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from outcomes.backtest import BACKTEST_OUTCOMES, BacktestConfig
from outcomes.models import OutcomeKind
from web.portal.intake_upload import SOURCES, upload_limit

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


class IntakeUploadForm(forms.Form):
    """One file of an intake source; the view streams it to a temporary file."""

    source = forms.ChoiceField(
        choices=[(key, source.label) for key, source in SOURCES.items()],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "%(value)s is not a source the portal imports."},
    )
    file = forms.FileField(
        help_text="One file; a folder (a Maildir, Teams files) goes through the command"
    )
    internal_domains = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Mail and calendars: comma-separated domains of the organization; other "
        "addresses are skipped as external instead of rejected as unknown",
    )

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        limit = upload_limit()
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"The file has {upload.size:,} bytes; the portal imports files of up to "
                f"{limit:,} bytes. Import bigger exports on the server with the source's "
                "command, listed above."
            )
        return upload

    def clean(self) -> dict[str, object] | None:
        cleaned = super().clean()
        key, upload = self.cleaned_data.get("source"), self.cleaned_data.get("file")
        if key and upload:
            source = SOURCES[key]
            if not source.takes(upload.name or ""):
                self.add_error(
                    "file",
                    f"{source.label}: {upload.name} is not a {' or '.join(source.suffixes)} file.",
                )
        return cleaned


class OptOutForm(forms.Form):
    """The person's own choice: leave them out of analytics, or count them in again."""

    analytics_opt_out = forms.TypedChoiceField(
        choices=[("true", "Opt out of analytics"), ("false", "Take part in analytics")],
        coerce=lambda value: value == "true",
    )


class BacktestForm(forms.Form):
    """A backtest to queue: the outcome, its horizon and gap, the KPI of a team result."""

    outcome = forms.ChoiceField(
        choices=[(outcome, outcome.replace("_", " ")) for outcome in BACKTEST_OUTCOMES],
        error_messages={"invalid_choice": "%(value)s is not an outcome a backtest forecasts."},
    )
    horizon_days = forms.IntegerField(
        min_value=1,
        max_value=730,
        initial=90,
        label="Horizon (days)",
        help_text="The outcome is observed in the days after the forecast date",
    )
    gap_days = forms.IntegerField(
        min_value=0,
        max_value=365,
        initial=28,
        label="Gap (days)",
        help_text="Between the end of the metrics' window and the forecast date (notice periods)",
    )
    metric = forms.CharField(
        required=False,
        max_length=100,
        label="KPI",
        help_text="Team results only: the KPI's name, e.g. delivery",
    )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        outcome, metric = self.cleaned_data.get("outcome"), self.cleaned_data.get("metric", "")
        if outcome == OutcomeKind.TEAM_RESULT and not metric:
            self.add_error("metric", "A team-result backtest needs the KPI's name.")
        elif outcome and outcome != OutcomeKind.TEAM_RESULT and metric:
            self.add_error("metric", "Only a team-result backtest names a KPI.")
        return cleaned

    def config(self) -> BacktestConfig:
        data = self.cleaned_data
        return BacktestConfig(
            outcome=data["outcome"],
            horizon_days=data["horizon_days"],
            gap_days=data["gap_days"],
            metric=data["metric"],
        )


class PersonForecastSwitchForm(forms.Form):
    """HR's switch of the per-person forecast list; `backtest`: the page to go back to."""

    enabled = forms.TypedChoiceField(
        choices=[("true", "Switch on"), ("false", "Switch off")],
        coerce=lambda value: value == "true",
    )
    backtest = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
