"""The transactional outbox: what the Neo4j projection still has to learn about."""

from __future__ import annotations

from django.db import models


class OutboxEntry(models.Model):
    """Entities of one kind whose SQL state changed, written in the same transaction as the change.

    The relay re-reads the current SQL state of each listed entity and upserts it in Neo4j, or
    deletes it there when it no longer exists in SQL; so applying an entry twice is harmless.
    """

    id = models.BigAutoField(primary_key=True)
    entity = models.CharField(max_length=30)
    uuids = models.JSONField()
    # Rows created in the same transaction, in the projection's row form. The relay writes them
    # as they are instead of re-reading SQL; any later change to them has a later entry. Cleared
    # when the entry fails for a reason of its own, so a retry, which may come after later
    # entries, re-reads SQL.
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "outbox entries"

    def __str__(self) -> str:
        return f"#{self.id} {self.entity} x{len(self.uuids)}"
