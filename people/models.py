"""People, the contexts they care about, and who belongs where."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Person(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(max_length=100, unique=True, help_text="The HRIS id")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=200, blank=True)
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="The formal reporting line",
    )
    is_active = models.BooleanField(
        default=True, help_text="False once left_on has come (or for a departure without a date)"
    )
    joined_on = models.DateField(null=True, blank=True, help_text="First day employed")
    left_on = models.DateField(
        null=True, blank=True, help_text="First day no longer employed (not active from that day)"
    )
    analytics_opt_out = models.BooleanField(
        default=False, help_text="Excluded from every analytics result"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
        help_text="The login of this person (managers and employees see data through it)",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "external_id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")), name="person_not_own_manager"
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(joined_on__isnull=True)
                | models.Q(left_on__gt=models.F("joined_on")),
                name="person_left_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"


class ContextKind(models.TextChoices):
    TEAM = "team"
    PROJECT = "project"
    COMMUNITY = "community"
    TOPIC = "topic"


class Context(models.Model):
    """A team, project, community or topic; written `kind:name` in files and exports."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=ContextKind.choices)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="context_unique_kind_name")
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"


CONTEXT_KINDS = frozenset(ContextKind.values)


def parse_context_key(text: str) -> tuple[str, str]:
    """`kind:name` -> (kind, name); ValueError naming what is wrong."""
    kind, separator, name = text.strip().partition(":")
    kind, name = kind.strip(), name.strip()
    if not separator or not name:
        raise ValueError(f"context {text!r} is not written kind:name")
    if len(name) > 200:
        raise ValueError(f"context name {name[:20]!r}... is longer than 200 characters")
    if kind not in CONTEXT_KINDS:
        kinds = ", ".join(ContextKind.values)
        raise ValueError(f"context kind {kind!r} is not one of {kinds}")
    return kind, name


class Membership(models.Model):
    """One period of a person in a context: `since` and `until` are its first and last days
    (inclusive, open when empty). A person may have several periods in one context; they never
    overlap (checked by people.services)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    context = models.ForeignKey(Context, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=100, blank=True)
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["person", "context"], name="membership_person_context")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True)
                | models.Q(since__isnull=True)
                | models.Q(until__gte=models.F("since")),
                name="membership_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.context_id}"


class OptOutChange(models.Model):
    """One change of a person's `analytics_opt_out`: by the person themselves, or by an HR admin
    acting on their written request (`reason` then says which). Erasing the person erases these."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="opt_out_changes")
    opted_out = models.BooleanField(help_text="The value set")
    by_the_person = models.BooleanField(help_text="Changed by the person themselves")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by_username = models.CharField(max_length=150, help_text="Kept if the user goes")
    reason = models.TextField(blank=True, help_text="Required unless by the person themselves")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        state = "opted out" if self.opted_out else "opted in"
        return f"{self.person_id} {state} by {self.changed_by_username}"


class IdentitySource(models.TextChoices):
    """Systems whose identifiers intake resolves to people (docs/intake.md)."""

    EMAIL = "email"
    SLACK = "slack"
    TEAMS = "teams"
    VIVA = "viva"
    BONUSLY = "bonusly"
    SCIM = "scim"


class PersonIdentity(models.Model):
    """One identifier of a person in another system: a Slack user id, a Microsoft Graph id, a
    hashed Viva Insights id, an e-mail address... Intake resolves identifiers through these; many
    identifiers may name one person. Identifiers are stored as the source writes them, except
    e-mail addresses, stored lower-case."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identities")
    source = models.CharField(max_length=20, choices=IdentitySource.choices)
    identifier = models.CharField(max_length=320)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "identifier"]
        constraints = [
            models.UniqueConstraint(fields=["source", "identifier"], name="identity_once"),
        ]
        verbose_name_plural = "person identities"

    def __str__(self) -> str:
        return f"{self.source}:{self.identifier}"


class PendingManager(models.Model):
    """A manager named for a person before that manager exists (SCIM provisioning sends a report
    before their manager): the link is made when a person with this external id is provisioned."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="pending_manager")
    manager_external_id = models.CharField(max_length=100, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.person_id} waits for {self.manager_external_id}"
