"""HR's answers to intake: this identifier is that person; these two records are one person."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from intake.models import UnresolvedIdentity
from people.models import Person, PersonIdentity
from people.services import Absorbed, absorb_person, save_identity
from recognition.services import move_events


@transaction.atomic
def map_identity(unresolved: UnresolvedIdentity, person: Person) -> PersonIdentity:
    """Record that the unresolved identifier is `person`'s and take it off the list. Importing
    the same source again brings in the records that were rejected for it."""
    taken = PersonIdentity.objects.filter(
        source=unresolved.source, identifier=unresolved.identifier
    ).first()
    if taken is not None and taken.person_id != person.pk:
        raise ValidationError(f"{taken} is already the identity of person {taken.person_id}")
    identity = taken or save_identity(
        PersonIdentity(person=person, source=unresolved.source, identifier=unresolved.identifier)
    )
    unresolved.delete()
    return identity


@dataclass(frozen=True)
class Merged:
    events: dict[str, int]
    absorbed: Absorbed


@transaction.atomic
def merge_people(absorbed: Person, keep: Person) -> Merged:
    """Two records of one person become `keep`: `absorbed`'s events, identities, membership
    periods and reports move to them (re-projected in Neo4j through the outbox), then
    `absorbed` is erased."""
    if absorbed.pk == keep.pk:
        raise ValidationError("a person cannot be merged into themselves")
    events = move_events(absorbed, keep)
    return Merged(events, absorb_person(absorbed, keep))
