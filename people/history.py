"""The admin's history ("Recent actions", LogEntry) about a person, forgotten with them."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from people.models import Person


def forget_admin_history(person: Person) -> int:
    """Delete the admin log entries about `person` (by id, or naming their external id or their
    current name) and about the rows their erasure deletes with them (memberships, events...);
    how many. Call it before the person is deleted."""
    person_type = ContentType.objects.get_for_model(Person)
    about = Q(content_type=person_type) & (
        Q(object_id=str(person.pk))
        | Q(object_repr__contains=f"({person.external_id})")
        | Q(object_repr=str(person))
    )
    for model, keys in _rows_deleted_with(person):
        about |= Q(content_type=ContentType.objects.get_for_model(model), object_id__in=keys)
    deleted, _ = LogEntry.objects.filter(about).delete()
    return deleted


def _rows_deleted_with(person: Person) -> Iterator[tuple[type[models.Model], list[str]]]:
    """The primary keys (as LogEntry keeps them: text) of rows that cascade from the person."""
    for relation in Person._meta.related_objects:
        if relation.on_delete is not models.CASCADE:
            continue
        model = relation.related_model
        rows = model._default_manager.filter(**{relation.field.name: person})
        keys = [str(key) for key in rows.values_list("pk", flat=True)]
        if keys:
            yield model, keys
