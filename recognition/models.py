"""The edges between people: recognitions, follows and interactions.

Each event has a stable `uuid` (its identity in Neo4j) and an `event_key` that makes imports
idempotent: derived from the source's event id when one is given, else from the event's content.
Interactions hold communication metadata only; there is deliberately no field for content.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models

from people.models import Context, Person


def validate_values(value: object) -> None:
    """Company values are a list of non-empty strings (they are projected as a Neo4j list)."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError('values must be a list of non-empty strings, e.g. ["care"]')


AFFECT_RANGE = models.Q(affect__isnull=True) | models.Q(affect__gte=-1.0, affect__lte=1.0)


class Channel(models.TextChoices):
    CHAT = "chat"
    EMAIL = "email"
    MEETING = "meeting"
    CALL = "call"
    IN_PERSON = "in_person"


def unique_event_key() -> str:
    """For events entered one by one (admin, API): nothing to deduplicate them against."""
    return f"single:{uuid.uuid4().hex}"


class Event(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_key = models.CharField(
        max_length=64, unique=True, editable=False, default=unique_event_key
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Recognition(Event):
    giver = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="recognitions_given")
    receiver = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="recognitions_received"
    )
    context = models.ForeignKey(
        Context, null=True, blank=True, on_delete=models.SET_NULL, related_name="recognitions"
    )
    message = models.TextField(blank=True)
    values = models.JSONField(
        default=list, blank=True, validators=[validate_values], help_text="Company values (tags)"
    )
    affect = models.FloatField(
        null=True, blank=True, help_text="How it felt, from -1 (draining) to 1 (energizing)"
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(giver=models.F("receiver")), name="recognition_not_self"
            ),
            models.CheckConstraint(condition=AFFECT_RANGE, name="recognition_affect_range"),
        ]

    def __str__(self) -> str:
        return f"recognition {self.giver_id} -> {self.receiver_id}"


class Follow(Event):
    """Leadership chosen by the follower, in one context."""

    follower = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="follows")
    leader = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="followers")
    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="follows")
    since = models.DateTimeField(db_index=True)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-since"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("leader")), name="follow_not_self"
            ),
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="follow_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.leader_id} in {self.context_id}"


class Interaction(Event):
    source = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="interactions_out")
    target = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="interactions_in")
    context = models.ForeignKey(
        Context, null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True)
    weight = models.FloatField(default=1.0)
    affect = models.FloatField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="interaction_not_self"
            ),
            models.CheckConstraint(condition=AFFECT_RANGE, name="interaction_affect_range"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="interaction_weight_pos"),
        ]

    def __str__(self) -> str:
        return f"interaction {self.source_id} -> {self.target_id}"
