"""What an API token is: a random string whose first PREFIX_LENGTH characters find its row.

Tokens are 128+ bits of randomness, so one SHA-256 (no salt, no stretching) is enough to make a
stolen table useless; the digests are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

PREFIX_LENGTH = 12


def new_token() -> str:
    return secrets.token_hex(PREFIX_LENGTH // 2) + secrets.token_urlsafe(32)


def prefix_of(token: str) -> str:
    return token[:PREFIX_LENGTH]


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, digest: str) -> bool:
    return hmac.compare_digest(digest_of(token), digest)
