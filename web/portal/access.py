"""Who may see which portal page: HR admins see everything, everyone else only their own page.

A manager's reports are in their API scope as directory records (web.api.scope), but a
person page shows individual analytics (follows, recognitions, metrics), so it stays the
person's own and HR's."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from people.models import Person
from people.selectors import person_of
from sociograph.accounts.roles import Role, role_of

View = Callable[..., HttpResponseBase]


def is_hr(user: Any) -> bool:
    return bool(user.is_authenticated and role_of(user) is Role.HR_ADMIN)


def hr_required(view: View) -> View:
    """Anonymous visitors go to the login page; logged-in people without the HR role get 403."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_hr(request.user):
            raise PermissionDenied("this page is for HR admins")
        return view(request, *args, **kwargs)

    return checked


def is_own_page(user: Any, person: Person) -> bool:
    own = person_of(user)
    return own is not None and own.pk == person.pk


def may_open_person_page(user: Any, person: Person) -> bool:
    return is_hr(user) or is_own_page(user, person)
