"""A person as each source names them (intake.records.PersonRef), built the same way everywhere."""

from __future__ import annotations

from typing import Any

from intake.identities import normalized_email
from intake.records import PersonRef
from people.models import IdentitySource


def email_person(address: str) -> PersonRef:
    """A person named by an e-mail address (mail, calendars), lower-case."""
    address = normalized_email(address)
    return PersonRef(IdentitySource.EMAIL.value, address, email=address)


def teams_person(identity_set: Any) -> PersonRef | None:
    """The user of a Graph `identitySet` (`from`, `mentioned`, an endpoint's `identity`), if any."""
    user = identity_set.get("user") if isinstance(identity_set, dict) else None
    identifier = user.get("id") if isinstance(user, dict) else None
    if not isinstance(identifier, str) or not identifier.strip():
        return None
    name = user.get("displayName") if isinstance(user, dict) else ""
    return PersonRef(IdentitySource.TEAMS, identifier.strip(), name=name or "")
