"""Org-health reports: the files built from a mining run and whom they were sent to."""

from __future__ import annotations

from django.db import models

from analytics.models import MiningRun


class Report(models.Model):
    run = models.ForeignKey(MiningRun, on_delete=models.CASCADE, related_name="reports")
    created_at = models.DateTimeField(auto_now_add=True)
    html = models.FileField(upload_to="reports/")
    pdf = models.FileField(upload_to="reports/")
    recipients = models.JSONField(default=list, blank=True)  # e-mail addresses it was sent to
    emailed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)  # why it was not sent, when it was not

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"report {self.pk} (run {self.run_id})"
