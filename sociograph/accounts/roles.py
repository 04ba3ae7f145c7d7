"""Who may do what through the API: five roles, held as Django groups.

- `hr_admin`: everything, including individual findings and aggregates of small groups.
- `manager`: aggregates of the contexts they belong to; never individual sensitive findings.
- `employee`: their own person record and metrics, the recognitions and follows they gave or
  received; creates recognitions and follows as themselves only.
- `integration`: creates people and events; no analytics reads.
- `scim`: the identity provider's provisioning client; SCIM 2.0 at /scim/v2/ only (and nothing
  else answers it).

Managers and employees act through the person their user is linked to
(`people.selectors.person_of`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, PermissionsMixin


class Role(StrEnum):
    HR_ADMIN = "hr_admin"
    MANAGER = "manager"
    EMPLOYEE = "employee"
    INTEGRATION = "integration"
    SCIM = "scim"


# Every role of the REST API and the portal; the scim role answers only SCIM (web.scim).
ALL_ROLES = frozenset(Role) - {Role.SCIM}
PEOPLE_ROLES = frozenset({Role.MANAGER, Role.EMPLOYEE})  # act as their linked person
# When a user holds several roles, the widest wins.
PRECEDENCE = (Role.HR_ADMIN, Role.MANAGER, Role.INTEGRATION, Role.EMPLOYEE, Role.SCIM)
# The role is memoized on the user object (not a model field, so set with setattr).
ROLE_CACHE = "_sociograph_role"


def role_of(user: AbstractBaseUser | AnonymousUser) -> Role | None:
    if not user.is_authenticated or not isinstance(user, PermissionsMixin):
        return None
    role: Role | None = getattr(user, ROLE_CACHE, None)
    if role is None:
        role = _role_from_groups(user)
        setattr(user, ROLE_CACHE, role)
    return role


def _role_from_groups(user: PermissionsMixin) -> Role | None:
    if user.is_superuser:
        return Role.HR_ADMIN
    names = set(user.groups.values_list("name", flat=True))
    return next((candidate for candidate in PRECEDENCE if candidate in names), None)


def assign_role(user: Any, role: Role) -> None:
    """Make `role` the user's only role. HR admins are staff: the portal links into the admin."""
    user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]))
    group, _ = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    staff = role is Role.HR_ADMIN or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    setattr(user, ROLE_CACHE, None)


# What the hr_admin group may do in the admin: everything on these apps' models.
HR_ADMIN_APPS = (
    "people",
    "recognition",
    "analytics",
    "graph",
    "reports",
    "webhooks",
    "intake",
    "outcomes",
    "accounts",
    "django_celery_beat",
)


def grant_hr_admin_permissions(**signal: Any) -> None:
    """Give the hr_admin group every permission of HR_ADMIN_APPS (after each migrate, when
    Django has created the permissions of new models)."""
    from django.contrib.auth.models import Permission

    group, _ = Group.objects.get_or_create(name=Role.HR_ADMIN.value)
    group.permissions.add(*Permission.objects.filter(content_type__app_label__in=HR_ADMIN_APPS))
