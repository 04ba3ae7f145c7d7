"""Identifiers met in a source that no person has yet: listed for HR to map, never dropped and
never invented as people."""

from __future__ import annotations

from django.db import models

from people.models import IdentitySource


class UnresolvedIdentity(models.Model):
    source = models.CharField(max_length=20, choices=IdentitySource.choices)
    identifier = models.CharField(max_length=320)
    # What the source said about them, to help HR find the person (never used to guess).
    email = models.CharField(max_length=320, blank=True)
    name = models.CharField(max_length=200, blank=True)
    occurrences = models.PositiveIntegerField(default=0, help_text="Records rejected for it")
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)
    last_place = models.CharField(max_length=300, blank=True, help_text="File and position")

    class Meta:
        ordering = ["-occurrences", "source", "identifier"]
        constraints = [
            models.UniqueConstraint(fields=["source", "identifier"], name="unresolved_once"),
        ]
        verbose_name_plural = "unresolved identities"

    def __str__(self) -> str:
        return f"{self.source}:{self.identifier}"
