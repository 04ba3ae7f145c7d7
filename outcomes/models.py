"""Outcomes as data: person-level departures and pulse-survey answers, context-level results.

Pulse answers are sensitive: below hr_admin they are read only as aggregates, under the release
rule of the rest of the product (analytics.release)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from people.models import Context, Person


class OutcomeKind(models.TextChoices):
    DEPARTURE = "departure"
    WELLBEING = "wellbeing"
    ENGAGEMENT = "engagement"
    ENPS = "enps"
    TEAM_RESULT = "team_result"


PERSON_KINDS = frozenset(
    {OutcomeKind.DEPARTURE, OutcomeKind.WELLBEING, OutcomeKind.ENGAGEMENT, OutcomeKind.ENPS}
)
PULSE_KINDS = frozenset({OutcomeKind.WELLBEING, OutcomeKind.ENGAGEMENT, OutcomeKind.ENPS})


class Outcome(models.Model):
    """One outcome. Departure: `person`, `at` = the first day no longer employed, `voluntary`.
    Pulse answer: `person`, `at` = the answer's day, `value` on the scale [scale_min, scale_max],
    optional `context`. Team result: `context`, `metric` (the KPI's name), `at` = the first day of
    the period it measures, `value` (scale optional)."""

    kind = models.CharField(max_length=20, choices=OutcomeKind.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="outcomes"
    )
    context = models.ForeignKey(
        Context, null=True, blank=True, on_delete=models.CASCADE, related_name="outcomes"
    )
    metric = models.CharField(max_length=100, blank=True, help_text="Team results: the KPI")
    at = models.DateField(db_index=True)
    value = models.FloatField(null=True, blank=True)
    scale_min = models.FloatField(null=True, blank=True)
    scale_max = models.FloatField(null=True, blank=True)
    voluntary = models.BooleanField(null=True, blank=True, help_text="Departures")
    # Idempotent imports: the same outcome (kind, subject, day, context) is stored once.
    outcome_key = models.CharField(max_length=64, unique=True, editable=False)
    # Counts the corrections of the row in place: a released pulse figure remembers the revision
    # of each answer it counted, so a corrected value is a changed answer (outcomes.pulse_release).
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=OutcomeKind.TEAM_RESULT, context__isnull=False)
                | (~models.Q(kind=OutcomeKind.TEAM_RESULT) & models.Q(person__isnull=False)),
                name="outcome_has_its_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(scale_min__isnull=True)
                | models.Q(scale_max__isnull=True)
                | models.Q(scale_min__lt=models.F("scale_max")),
                name="outcome_scale_ordered",
            ),
        ]

    def __str__(self) -> str:
        subject = self.person_id if self.person_id else f"{self.context_id}/{self.metric}"
        return f"{self.kind} of {subject} on {self.at}"


class BacktestResult(models.Model):
    """One backtest (outcomes.backtest): did the mined metrics forecast an outcome here? Kept
    with everything needed to repeat it: parameters (horizon, gap, every, window, seed,
    resamples), the data span and the snapshot runs read."""

    outcome = models.CharField(max_length=20, choices=OutcomeKind.choices)
    metric = models.CharField(max_length=100, blank=True, help_text="Team results: the KPI")
    parameters = models.JSONField(default=dict)
    seed = models.IntegerField(default=0)
    data_start = models.DateField(help_text="First day of the first feature window")
    data_end = models.DateField(help_text="Last day of the last outcome horizon")
    n_people = models.IntegerField(help_text="People (or contexts) forecast")
    n_events = models.IntegerField(help_text="Departures forecast, or outcome values")
    results = models.JSONField(default=list, help_text="One object per model")
    calibrated_weights = models.JSONField(
        null=True, blank=True, help_text="Learned health component weights, when supported"
    )
    statement = models.TextField(blank=True, help_text="What the backtest supports, in words")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"backtest {self.pk} of {self.outcome} ({self.data_start}..{self.data_end})"


class PulseRelease(models.Model):
    """The release rule's decision for one kind of survey in one calendar month
    (outcomes.pulse_release), stored the first time the month is read once it is over, so that
    answers imported later do not change what has been released. Its groups are its figures."""

    kind = models.CharField(max_length=20, choices=OutcomeKind.choices)
    month = models.DateField(help_text="The month's first day")
    decided_at = models.DateTimeField(auto_now_add=True)
    revised_at = models.DateTimeField(
        null=True, blank=True, help_text="The last time HR re-released the month"
    )

    class Meta:
        ordering = ["-month", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "month"], name="pulse_release_once_per_month")
        ]

    def __str__(self) -> str:
        return f"release of {self.kind} {self.month:%Y-%m}"


class PulseFigure(models.Model):
    """One group's aggregate in a month's release: released (`withheld` empty) or withheld with
    the reason. Exactly one current figure per group; a released figure later superseded by a
    re-release is kept (`current` False), since readers may hold it: the rule compares every new
    figure with every figure ever released for the month."""

    release = models.ForeignKey(PulseRelease, on_delete=models.CASCADE, related_name="figures")
    group = models.CharField(max_length=20, help_text='"org" or a context id')
    label = models.CharField(max_length=250, help_text='"org" or kind:name when decided')
    people = models.PositiveIntegerField()
    answers = models.PositiveIntegerField()
    mean = models.FloatField(null=True, blank=True, help_text="Null when the scales differ")
    scale_min = models.FloatField(null=True, blank=True)
    scale_max = models.FloatField(null=True, blank=True)
    mean_normalized = models.FloatField()
    withheld = models.CharField(max_length=200, blank=True, help_text="Why; empty: released")
    # [person id, answer id, answer revision] of each answer counted, for the differencing rule;
    # released figures only (no value is kept here).
    counted = models.JSONField(default=list, blank=True)
    current = models.BooleanField(default=True)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["release", "-people", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "group"],
                condition=models.Q(current=True),
                name="pulse_figure_one_current_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} in {self.release}"


class PersonForecastSwitch(models.Model):
    """One change of the org setting that lets HR admins see per-person departure forecasts in
    the portal (outcomes.risk). The newest change is the setting; with none it is off."""

    enabled = models.BooleanField(help_text="The value set")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by_username = models.CharField(max_length=150, help_text="Kept if the user goes")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"per-person forecasts {state} by {self.changed_by_username} at {self.at:%Y-%m-%d}"
