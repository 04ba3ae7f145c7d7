"""Every failed login (whatever view called `authenticate`) is counted; a successful one clears
its account's count."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed

from sociograph.accounts.login_throttle import client_address, forget_failures, record_failure


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **_: Any
) -> None:
    # `credentials` has the password already replaced by Django; only the user name is used.
    record_failure(str(credentials.get("username", "")), client_address(request))


def on_logged_in(sender: Any, request: Any, user: Any, **_: Any) -> None:
    forget_failures(user.get_username())


def connect() -> None:
    user_login_failed.connect(on_login_failed, dispatch_uid="sociograph-login-failed")
    user_logged_in.connect(on_logged_in, dispatch_uid="sociograph-logged-in")
