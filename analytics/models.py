"""Mining runs and their results. Results live in SQL so that reads never need Neo4j."""

from __future__ import annotations

import uuid

from django.db import models

from people.models import Context, Person


class RunStatus(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class MiningRun(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # step name -> {"status", "started_at", "finished_at", "seconds", "error"}
    steps = models.JSONField(default=dict, blank=True)
    graph_size = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class PersonMetric(models.Model):
    run = models.ForeignKey(MiningRun, on_delete=models.CASCADE, related_name="person_metrics")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="metrics")
    metric = models.CharField(max_length=50)
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "person", "metric"], name="person_metric_unique")
        ]
        indexes = [models.Index(fields=["run", "metric"])]

    def __str__(self) -> str:
        return f"{self.metric}={self.value:g} (person {self.person_id}, run {self.run_id})"


class ContextMetric(models.Model):
    run = models.ForeignKey(MiningRun, on_delete=models.CASCADE, related_name="context_metrics")
    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="metrics")
    metric = models.CharField(max_length=50)
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "context", "metric"], name="context_metric_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric}={self.value:g} (context {self.context_id}, run {self.run_id})"


class OrgMetric(models.Model):
    run = models.ForeignKey(MiningRun, on_delete=models.CASCADE, related_name="org_metrics")
    metric = models.CharField(max_length=50)
    value = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "metric"], name="org_metric_unique")]

    def __str__(self) -> str:
        return f"{self.metric}={self.value:g} (run {self.run_id})"


class Severity(models.TextChoices):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Finding(models.Model):
    run = models.ForeignKey(MiningRun, on_delete=models.CASCADE, related_name="findings")
    pattern = models.CharField(max_length=50, db_index=True)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    # Erasing a person removes their subject rows; a finding left with no subject is removed
    # by the erasure service (see analytics.services.forget_person).
    subjects = models.ManyToManyField(Person, related_name="findings")
    context = models.ForeignKey(
        Context, null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    detail = models.JSONField(default=dict, blank=True)
    sensitive = models.BooleanField(default=False, help_text="About identifiable individuals")

    class Meta:
        ordering = ["pattern", "id"]

    def __str__(self) -> str:
        return f"{self.pattern} (run {self.run_id})"


class RunRelease(models.Model):
    """The release rule's decision for one succeeded run (analytics.release), stored once: which
    groups' aggregates may leave the system. Keys are "org" and context ids (as strings)."""

    run = models.OneToOneField(
        MiningRun, primary_key=True, on_delete=models.CASCADE, related_name="release"
    )
    released = models.JSONField(default=list, blank=True)
    withheld = models.JSONField(default=dict, blank=True, help_text="group -> reason")
    decided_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"release of run {self.run_id}"
