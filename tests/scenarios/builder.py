"""An organization written in code, loaded through the domain models and the outbox into SQL and
Neo4j, then mined like any other."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import transaction

from people.models import Context, Membership, Person
from recognition.services import EventInput, event_key, record_events
from sociograph.graph import relay
from sociograph.graph.outbox import record_change

END = datetime(2026, 11, 1, tzinfo=UTC)  # scenarios are mined over the 90 days before this
WINDOW_DAYS = 90
START = END - timedelta(days=WINDOW_DAYS)


def at(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """Day `day` of the window (0 = its first day)."""
    return START + timedelta(days=day, hours=hour, minutes=minute)


@dataclass
class PersonSpec:
    key: str
    manager: str | None = None
    joined_on: date | None = None
    left_on: date | None = None
    is_active: bool = True


@dataclass
class MembershipSpec:
    person: str
    context: str  # kind:name
    since: date | None = None
    until: date | None = None
    role: str = ""


@dataclass
class EventSpec:
    kind: str
    source: str
    target: str
    at: datetime
    context: str | None = None
    affect: float | None = None
    until: datetime | None = None


@dataclass
class Org:
    people: dict[str, PersonSpec] = field(default_factory=dict)
    memberships: list[MembershipSpec] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)

    def person(self, key: str, *contexts: str, **fields: object) -> str:
        self.people[key] = PersonSpec(key, **fields)  # type: ignore[arg-type]
        for context in contexts:
            self.memberships.append(MembershipSpec(key, context))
        return key

    def member(self, person: str, context: str, **fields: object) -> None:
        self.memberships.append(MembershipSpec(person, context, **fields))  # type: ignore[arg-type]

    def interact(
        self, source: str, target: str, when: datetime, affect: float | None = None
    ) -> None:
        self.events.append(EventSpec("interaction", source, target, when, affect=affect))

    def recognize(
        self, source: str, target: str, when: datetime, context: str | None = None
    ) -> None:
        self.events.append(EventSpec("recognition", source, target, when, context=context))

    def follow(
        self,
        follower: str,
        leader: str,
        context: str,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> None:
        when = since or at(0) - timedelta(days=30)
        self.events.append(EventSpec("follow", follower, leader, when, context, until=until))


def _contexts(org: Org) -> dict[str, Context]:
    keys = {m.context for m in org.memberships} | {e.context for e in org.events if e.context}
    contexts = {}
    for key in sorted(keys):
        kind, name = key.split(":", 1)
        contexts[key], _ = Context.objects.get_or_create(kind=kind, name=name)
    record_change(Context, [c.uuid for c in contexts.values()])
    return contexts


def _people(org: Org) -> dict[str, Person]:
    people = {
        key: Person(
            uuid=uuid.uuid4(),
            external_id=key,
            name=f"Person {key}",
            joined_on=spec.joined_on,
            left_on=spec.left_on,
            is_active=spec.is_active,
        )
        for key, spec in org.people.items()
    }
    Person.objects.bulk_create(people.values())
    people = {p.external_id: p for p in Person.objects.filter(external_id__in=people)}
    for key, spec in org.people.items():
        if spec.manager:
            people[key].manager = people[spec.manager]
    Person.objects.bulk_update(people.values(), ["manager"])
    record_change(Person, [p.uuid for p in people.values()])
    return people


def _event(
    spec: EventSpec, number: int, people: dict[str, Person], contexts: dict[str, Context]
) -> EventInput:
    source, target = people[spec.source], people[spec.target]
    context = contexts[spec.context] if spec.context else None
    return EventInput(
        kind=spec.kind,
        source_id=source.pk,
        target_id=target.pk,
        at=spec.at,
        event_key=event_key(spec.kind, f"scenario-{number}", ()),
        source_uuid=str(source.uuid),
        target_uuid=str(target.uuid),
        context_uuid=str(context.uuid) if context else None,
        context_id=context.pk if context else None,
        affect=spec.affect,
        channel="chat" if spec.kind == "interaction" else "",
        until=spec.until,
    )


def load(org: Org) -> dict[str, str]:
    """Write the organization to SQL, project it into Neo4j; external id -> uuid."""
    with transaction.atomic():
        contexts = _contexts(org)
        people = _people(org)
        memberships = [
            Membership(
                uuid=uuid.uuid4(),
                person=people[m.person],
                context=contexts[m.context],
                since=m.since,
                until=m.until,
                role=m.role,
            )
            for m in org.memberships
        ]
        Membership.objects.bulk_create(memberships)
        record_change(Membership, [m.uuid for m in memberships])
        record_events([_event(spec, n, people, contexts) for n, spec in enumerate(org.events)])
    relay.relay(wait_seconds=30)
    return {key: str(person.uuid) for key, person in people.items()}
