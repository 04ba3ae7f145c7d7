"""Reads of the people app that other layers share."""

from __future__ import annotations

from typing import Any

from people.models import Person


def person_of(user: Any) -> Person | None:
    """The person a manager or employee acts as (None when the user is linked to nobody)."""
    try:
        person: Person = user.person
    except (AttributeError, Person.DoesNotExist):
        return None
    return person
