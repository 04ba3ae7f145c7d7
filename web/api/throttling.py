"""Per-token request rates, counted in Redis so every web process agrees.

A fixed window per user (one token per user) and scope: one pipelined INCR + EXPIRE per request.
DRF's own throttles keep a list of every request time in the cache and rewrite it on each request
(measured: a fifth of a person-detail request's time). A fixed window lets a client send up to
twice the rate across a window boundary; the rate is a guard against runaway scripts, not a
billing meter.
"""

from __future__ import annotations

import time
from typing import Any

import redis
from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _client  # one client per process; its connection pool is fork-safe
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    return _client


PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """`N/unit` with unit second, minute, hour or day (only its first letter counts), as DRF."""
    count, _, unit = rate.partition("/")
    return int(count), PERIODS[unit.strip()[:1]]


class TokenRateThrottle(BaseThrottle):
    """Scope: the view's `throttle_scope`, else `api`; rates are read from settings on each
    request. A refused request gets 429 with Retry-After: the seconds left in the window."""

    retry_after: float | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        scope = getattr(view, "throttle_scope", None) or "api"
        limit, period = parse_rate(settings.SOCIOGRAPH_API_RATES[scope])
        now = time.time()
        window = int(now // period)
        who = request.user.pk if request.user.is_authenticated else self.get_ident(request)
        key = f"sociograph:throttle:{scope}:{who}:{window}"
        pipeline = _redis().pipeline()
        pipeline.incr(key)
        pipeline.expire(key, period + 1)
        count = int(pipeline.execute()[0])
        if count <= limit:
            return True
        self.retry_after = (window + 1) * period - now
        return False

    def wait(self) -> float | None:
        return self.retry_after
