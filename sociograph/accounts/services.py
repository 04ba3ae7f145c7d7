"""Issuing and revoking API tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from sociograph.accounts.models import ApiToken
from sociograph.accounts.tokens import digest_of, new_token, prefix_of


@transaction.atomic
def issue_token(user: Any, days: int) -> tuple[str, ApiToken]:
    """A new token for `user`, valid for `days` days; the user's other tokens are revoked.
    The token itself is returned once and never stored."""
    if days < 1:
        raise ValueError("a token must be valid for at least one day")
    revoke_tokens(user)
    token, now = new_token(), timezone.now()
    record = ApiToken.objects.create(
        user=user,
        prefix=prefix_of(token),
        digest=digest_of(token),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return token, record


def revoke_tokens(user: Any, prefix: str = "") -> int:
    """Revoke the user's usable tokens (only the one with `prefix` when given); how many."""
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    if prefix:
        tokens = tokens.filter(prefix=prefix)
    return tokens.update(revoked_at=timezone.now())
