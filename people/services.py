"""Writes about people, contexts and memberships. Every write records its outbox entry in the
same transaction, so the Neo4j projection cannot miss it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import uuid4

from django.db import transaction
from django.utils import timezone

from people.models import Context, Membership, Person
from sociograph.bulk import insert_rows
from sociograph.graph.outbox import delete_with_outbox, record_change

ContextKey = tuple[str, str]


@dataclass(frozen=True)
class PersonInput:
    external_id: str
    name: str
    email: str = ""
    title: str = ""
    contexts: tuple[ContextKey, ...] = ()


@dataclass
class PeopleOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_external_id: dict[str, Person] = field(default_factory=dict)


def ensure_contexts(keys: Iterable[ContextKey]) -> dict[ContextKey, Context]:
    """The contexts with these (kind, name) keys, creating the missing ones."""
    wanted = set(keys)
    if not wanted:
        return {}
    found = {
        (context.kind, context.name): context
        for context in Context.objects.filter(name__in={name for _, name in wanted})
        if (context.kind, context.name) in wanted
    }
    missing = [Context(kind=kind, name=name) for kind, name in sorted(wanted - found.keys())]
    if missing:
        Context.objects.bulk_create(missing)
        record_change(Context, [context.uuid for context in missing])
        found.update({(context.kind, context.name): context for context in missing})
    return found


def _apply_fields(person: Person, data: PersonInput) -> bool:
    changed = False
    for name in ("name", "email", "title"):
        if getattr(person, name) != getattr(data, name):
            setattr(person, name, getattr(data, name))
            changed = True
    return changed


def ensure_memberships(pairs: Iterable[tuple[Person, Context]]) -> int:
    wanted = {(person.pk, context.pk) for person, context in pairs}
    if not wanted:
        return 0
    existing = set(
        Membership.objects.filter(person_id__in={p for p, _ in wanted}).values_list(
            "person_id", "context_id"
        )
    )
    new = sorted(wanted - existing)
    identities = [uuid4() for _ in new]
    now = timezone.now()
    insert_rows(
        Membership,
        ("uuid", "person", "context", "role", "created_at"),
        ((identity, p, c, "", now) for identity, (p, c) in zip(identities, new, strict=True)),
    )
    record_change(Membership, identities)
    return len(new)


@transaction.atomic
def upsert_people(inputs: list[PersonInput]) -> PeopleOutcome:
    """Create or update people by external_id, with their contexts and memberships."""
    outcome = PeopleOutcome()
    contexts = ensure_contexts(key for data in inputs for key in data.contexts)
    existing = Person.objects.in_bulk(
        [data.external_id for data in inputs], field_name="external_id"
    )
    new, changed = [], []
    for data in inputs:
        person = existing.get(data.external_id)
        if person is None:
            person = Person(external_id=data.external_id)
            _apply_fields(person, data)
            new.append(person)
        elif _apply_fields(person, data):
            changed.append(person)
        else:
            outcome.unchanged += 1
        outcome.by_external_id[data.external_id] = person
    Person.objects.bulk_create(new)
    now = timezone.now()
    for person in changed:
        person.updated_at = now
    Person.objects.bulk_update(changed, ["name", "email", "title", "updated_at"], batch_size=500)
    record_change(Person, [person.uuid for person in new + changed])
    outcome.created, outcome.updated = len(new), len(changed)
    ensure_memberships(
        (outcome.by_external_id[data.external_id], contexts[key])
        for data in inputs
        for key in data.contexts
    )
    return outcome


def would_create_cycle(person_id: int, manager_id: int, managers: dict[int, int | None]) -> bool:
    """True when making `manager_id` the manager of `person_id` closes a loop."""
    seen = {person_id}
    current: int | None = manager_id
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = managers.get(current)
    return False


@transaction.atomic
def set_managers(assignments: dict[int, int | None]) -> list[int]:
    """Set person -> manager (by pk). Returns the person ids refused because of a cycle."""
    managers: dict[int, int | None] = dict(Person.objects.values_list("pk", "manager_id"))
    refused, changed = [], []
    for person_id, manager_id in assignments.items():
        if manager_id is not None and would_create_cycle(person_id, manager_id, managers):
            refused.append(person_id)
            continue
        if managers.get(person_id) != manager_id:
            managers[person_id] = manager_id
            changed.append(person_id)
    by_manager: dict[int | None, list[int]] = defaultdict(list)
    for person_id in changed:
        by_manager[managers[person_id]].append(person_id)
    now = timezone.now()
    for manager_id, person_ids in by_manager.items():  # one UPDATE per manager, not per person
        Person.objects.filter(pk__in=person_ids).update(manager_id=manager_id, updated_at=now)
    record_change(Person, Person.objects.filter(pk__in=changed).values_list("uuid", flat=True))
    return refused


@transaction.atomic
def erase_person(person: Person) -> None:
    """Right to be forgotten: the person and every edge they are part of, in SQL and in Neo4j.

    SQL cascades remove their memberships, recognitions, follows and interactions and clear them
    as anyone's manager; every row so touched goes to the outbox, so the relay removes the same
    from Neo4j. Mining results about them go with them.
    """
    from analytics.services import forget_orphan_findings

    delete_with_outbox(person)
    forget_orphan_findings()


PERSON_FIELDS = ("name", "email", "title", "is_active", "analytics_opt_out")


@transaction.atomic
def update_person(person: Person, changes: dict[str, object]) -> Person:
    """Change some of PERSON_FIELDS (and `manager`, a Person or None; a reporting loop is a
    ValueError). Records the change for the projection."""
    if "manager" in changes:
        manager = changes.pop("manager")
        manager_id = manager.pk if isinstance(manager, Person) else None
        if set_managers({person.pk: manager_id}):
            raise ValueError("manager: this would make a reporting loop")
        person.refresh_from_db(fields=["manager"])
    unknown = set(changes) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(person, name, value)
    person.save()
    record_change(Person, [person.uuid])
    return person


@transaction.atomic
def update_context(context: Context, changes: dict[str, object]) -> Context:
    """Change `name` and/or `parent` (a Context or None; a loop of parents is a ValueError)."""
    if "parent" in changes:
        parent = changes["parent"]
        ancestor = parent if isinstance(parent, Context) else None
        while ancestor is not None:
            if ancestor.pk == context.pk:
                raise ValueError("parent: this would make a loop of parent contexts")
            ancestor = ancestor.parent
    for name, value in changes.items():
        setattr(context, name, value)
    context.full_clean(validate_unique=True, validate_constraints=True)
    context.save()
    record_change(Context, [context.uuid])
    return context


@transaction.atomic
def add_membership(person: Person, context: Context, **fields: object) -> Membership:
    membership = Membership(person=person, context=context, **fields)
    membership.full_clean()
    membership.save()
    record_change(Membership, [membership.uuid])
    return membership


@transaction.atomic
def update_membership(membership: Membership, changes: dict[str, object]) -> Membership:
    for name, value in changes.items():
        setattr(membership, name, value)
    membership.full_clean()
    membership.save()
    record_change(Membership, [membership.uuid])
    return membership
