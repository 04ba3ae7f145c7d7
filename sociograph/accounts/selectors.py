"""Reading API tokens."""

from __future__ import annotations

from sociograph.accounts.models import ApiToken
from sociograph.accounts.tokens import prefix_of, token_matches


def usable_token(token: str) -> ApiToken | None:
    """The token's row when the token is genuine, not expired, not revoked and its user active."""
    record = ApiToken.objects.select_related("user").filter(prefix=prefix_of(token)).first()
    if record is None or not token_matches(token, record.digest):
        return None
    if record.is_expired or record.is_revoked or not record.user.is_active:
        return None
    return record
