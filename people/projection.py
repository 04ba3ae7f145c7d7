"""How people, contexts and memberships appear in Neo4j (see docs/graph-model.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet

from people.models import Context, Membership, Person
from sociograph.graph.cypher import projection as cypher
from sociograph.graph.projection import CHUNK, ProjectionSpec, Row, uuid_text


def iso_date(day: date | None) -> str | None:
    return day.isoformat() if day else None


def person_rows(queryset: QuerySet[Any]) -> Iterator[Row]:
    fields: tuple[str, ...] = ("uuid", "external_id", "is_active", "analytics_opt_out")
    fields += ("manager__uuid", "joined_on", "left_on")
    rows = queryset.values_list(*fields).iterator(chunk_size=CHUNK)
    for uuid, external_id, active, opted_out, manager, joined_on, left_on in rows:
        yield {
            "uuid": str(uuid),
            "external_id": external_id,
            "active": active,
            "opted_out": opted_out,
            "manager": uuid_text(manager),
            "joined_on": iso_date(joined_on),
            "left_on": iso_date(left_on),
        }


def context_rows(queryset: QuerySet[Any]) -> Iterator[Row]:
    for uuid, kind, name, parent in queryset.values_list(
        "uuid", "kind", "name", "parent__uuid"
    ).iterator(chunk_size=CHUNK):
        yield {
            "uuid": str(uuid),
            "kind": kind,
            "name": name,
            "key": f"{kind}:{name}",
            "parent": uuid_text(parent),
        }


def membership_rows(queryset: QuerySet[Any]) -> Iterator[Row]:
    fields = ("uuid", "person__uuid", "context__uuid", "role", "since", "until")
    for uuid, person, context, role, since, until in queryset.values_list(*fields).iterator(
        chunk_size=CHUNK
    ):
        yield {
            "uuid": str(uuid),
            "person": str(person),
            "context": str(context),
            "role": role,
            "since": iso_date(since),
            "until": iso_date(until),
        }


SPECS = (
    ProjectionSpec(
        entity="person",
        model=Person,
        to_rows=person_rows,
        upsert=cypher.UPSERT_PEOPLE,
        delete=cypher.DELETE_PEOPLE,
        neo4j_state=cypher.PEOPLE_STATE,
        counts_written=False,
        stage=0,
    ),
    ProjectionSpec(
        entity="context",
        model=Context,
        to_rows=context_rows,
        upsert=cypher.UPSERT_CONTEXTS,
        delete=cypher.DELETE_CONTEXTS,
        neo4j_state=cypher.CONTEXTS_STATE,
        counts_written=False,
        stage=0,
    ),
    ProjectionSpec(
        entity="membership",
        endpoints=("person", "context"),
        model=Membership,
        to_rows=membership_rows,
        upsert=cypher.UPSERT_MEMBERSHIPS,
        delete=cypher.DELETE_MEMBERSHIPS,
        neo4j_state=cypher.MEMBERSHIPS_STATE,
        counts_written=True,
        stage=1,
    ),
)
