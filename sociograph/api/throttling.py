"""Per-token request rates, counted in the shared Redis cache so every web process agrees."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """One bucket per user (one token per user) and scope: a view's `throttle_scope`, else
    `api`. Rates are read from settings on every request, so they can be changed at run time.
    A refused request gets 429 with Retry-After (DRF)."""

    def __init__(self) -> None:  # SimpleRateThrottle reads the rate here; we read it per request
        pass

    def allow_request(self, request: Request, view: Any) -> bool:
        self.scope = getattr(view, "throttle_scope", None) or "api"
        self.rate = settings.SOCIOGRAPH_API_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str:
        ident = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        return f"throttle:{self.scope}:{ident}"
