"""Role checks per endpoint and action. Each view declares `policy`: action -> roles allowed.

Actions are DRF viewset actions (`list`, `retrieve`, `create`, `partial_update`, `destroy`,
or an extra action's name); an action missing from the policy is refused to everyone. Which
rows a role sees is decided by the view's queryset (the selectors), so another person's record
is simply not found for an employee.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from sociograph.accounts.roles import Role, role_of

Policy = dict[str, frozenset[Role]]


def action_of(request: Request, view: Any) -> str:
    action = getattr(view, "action", None)
    return str(action) if action else request.method.lower() if request.method else ""


class RolePolicy(BasePermission):
    message = "Your role may not do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        role = role_of(request.user)
        if role is None:
            return False
        policy: Policy = getattr(view, "policy", {})
        return role in policy.get(action_of(request, view), frozenset())
