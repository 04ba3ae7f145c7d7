"""`Authorization: Token <token>` against the hashed, expiring tokens of ApiToken."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from sociograph.accounts.models import ApiToken
from sociograph.accounts.selectors import usable_token

KEYWORD = "Token"


class HashedTokenAuthentication(BaseAuthentication):
    """A missing header leaves the request to the next authenticator; a wrong, expired or
    revoked token is a 401 (the same answer for all three, so a caller learns nothing)."""

    keyword = KEYWORD

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        try:
            token = words[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        return self.authenticate_credentials(token)

    def authenticate_credentials(self, token: str) -> tuple[Any, ApiToken]:
        record = usable_token(token)
        if record is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        return record.user, record

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class BearerTokenAuthentication(HashedTokenAuthentication):
    """The same tokens as `Authorization: Bearer <token>`, as SCIM clients send them."""

    keyword = "Bearer"
