"""Users for the tests: the one way to make a user with a role (or a superuser)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from people.models import Person
from sociograph.accounts.roles import Role, assign_role


def user_with_role(
    role: Role | None,
    username: str | None = None,
    *,
    person: str | Person | None = None,
    email: str = "",
    password: str | None = None,
    superuser: bool = False,
) -> User:
    """A user holding `role` (none when None), a superuser if asked; linked to `person` (an
    external id or a Person) when given. The username defaults to the role's name ("root" for a
    superuser), the password to "pw-<username>"."""
    if username is None:
        username = "root" if superuser and role is None else f"{role or 'no-role'}-user"
    password = f"pw-{username}" if password is None else password
    if superuser:
        user = User.objects.create_superuser(username, email=email, password=password)
    else:
        user = User.objects.create_user(username, email=email, password=password)
    if role is not None:
        assign_role(user, role)
    if isinstance(person, Person):
        person.user = user
        person.save(update_fields=["user"])
    elif person:
        Person.objects.filter(external_id=person).update(user=user)
    return user


def client_of(user: User) -> Client:
    """A test client logged in as `user`."""
    client = Client()
    client.force_login(user)
    return client
