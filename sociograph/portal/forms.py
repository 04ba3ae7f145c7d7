"""Forms of the HR portal."""

from __future__ import annotations

from django import forms

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
