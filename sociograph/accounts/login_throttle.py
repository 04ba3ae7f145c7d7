"""Failed logins, counted in Redis per account and per client address (every web process shares
the counts). SOCIOGRAPH_LOGIN_THROTTLE's "account_failures" failures within a lock period lock the
account, and its "address_failures" the address, for its "lock_seconds"; a locked login is refused
before the password is even checked, so the right password does not get through either.

When Redis is down, logins are let through (and the outage logged): the portal stays usable.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable
from functools import wraps
from typing import Any

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

logger = logging.getLogger(__name__)

_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _client  # one client per process; its connection pool is fork-safe
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    return _client


def client_address(request: HttpRequest | None) -> str:
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


def _subjects(username: str, address: str) -> list[str]:
    """The Redis key stems of an attempt: its account (case-folded, hashed) and its address."""
    account = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    stems = [f"sociograph:login:account:{account}"]
    if address:
        stems.append(f"sociograph:login:address:{address}")
    return stems


def seconds_locked(username: str, address: str) -> int:
    """How long the account or the address stays locked (0: not locked)."""
    try:
        pipeline = _redis().pipeline()
        for stem in _subjects(username, address):
            pipeline.ttl(f"{stem}:locked")
        return max(0, *(int(ttl) for ttl in pipeline.execute()))
    except redis.RedisError as error:
        logger.error("login throttle unavailable, login not checked: %s", error)
        return 0


def record_failure(username: str, address: str) -> None:
    logger.warning("failed login for %r from %s", username, address or "?")
    try:
        for stem in _subjects(username, address):
            _count_failure(stem, username, address)
    except redis.RedisError as error:
        logger.error("login throttle unavailable, failure not counted: %s", error)


def _count_failure(stem: str, username: str, address: str) -> None:
    """One more failure of the account or address `stem`; at its limit, lock it."""
    throttle = settings.SOCIOGRAPH_LOGIN_THROTTLE
    kind, lock_seconds = stem.split(":")[2], throttle["lock_seconds"]  # kind: account or address
    pipeline = _redis().pipeline()
    pipeline.incr(f"{stem}:failures")
    pipeline.expire(f"{stem}:failures", lock_seconds, nx=True)
    failures = int(pipeline.execute()[0])
    if failures >= throttle[f"{kind}_failures"]:
        _redis().set(f"{stem}:locked", 1, ex=lock_seconds)
        logger.warning(
            "login locked for %d s after %d failures: %s (login %r from %s)",
            *(lock_seconds, failures, kind, username, address or "?"),
        )


def forget_failures(username: str) -> None:
    """A successful login clears its account's count (not its address's)."""
    try:
        _redis().delete(f"{_subjects(username, '')[0]}:failures")
    except redis.RedisError as error:
        logger.error("login throttle unavailable: %s", error)


View = Callable[..., HttpResponseBase]


def throttled_login(view: View) -> View:
    """Wrap a login view: a POST for a locked account or from a locked address gets 429."""

    @wraps(view)
    def login(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            username = str(request.POST.get("username", ""))
            wait = seconds_locked(username, client_address(request))
            if wait:
                logger.warning(
                    "locked login refused for %r from %s", username, client_address(request)
                )
                return locked_response(request, wait)
        return view(request, *args, **kwargs)

    return login


def locked_response(request: HttpRequest, wait: int) -> HttpResponse:
    minutes = math.ceil(wait / 60)
    response = render(
        request,
        "accounts/login_locked.html",
        {"minutes": minutes, "title": "Login locked"},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
