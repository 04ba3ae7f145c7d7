"""How recognitions, follows and interactions appear in Neo4j: one relationship per event,
timestamps as epoch seconds (see docs/graph-model.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from recognition.models import Follow, Interaction, Recognition
from sociograph.graph.cypher import projection as cypher
from sociograph.graph.projection import CHUNK, ProjectionSpec, Row, uuid_text


def epoch_seconds(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def recognition_rows(queryset: QuerySet[Any]) -> Iterator[Row]:
    fields = ("uuid", "giver__uuid", "receiver__uuid", "at", "context__uuid", "affect", "values")
    for uuid, giver, receiver, at, context, affect, values in queryset.values_list(
        *fields
    ).iterator(chunk_size=CHUNK):
        yield {
            "uuid": str(uuid),
            "source": str(giver),
            "target": str(receiver),
            "ts": epoch_seconds(at),
            "context": uuid_text(context),
            "affect": affect,
            "values": list(values),
        }


def follow_rows(queryset: QuerySet[Any]) -> Iterator[Row]:
    fields = ("uuid", "follower__uuid", "leader__uuid", "context__uuid", "since", "until")
    for uuid, follower, leader, context, since, until in queryset.values_list(*fields).iterator(
        chunk_size=CHUNK
    ):
        yield {
            "uuid": str(uuid),
            "source": str(follower),
            "target": str(leader),
            "context": str(context),
            "since": epoch_seconds(since),
            "until": epoch_seconds(until),
        }


def interaction_rows(queryset: QuerySet[Any]) -> Iterator[Row]:
    fields = (
        "uuid",
        "source__uuid",
        "target__uuid",
        "at",
        "context__uuid",
        "channel",
        "weight",
        "affect",
    )
    for uuid, source, target, at, context, channel, weight, affect in queryset.values_list(
        *fields
    ).iterator(chunk_size=CHUNK):
        yield {
            "uuid": str(uuid),
            "source": str(source),
            "target": str(target),
            "ts": epoch_seconds(at),
            "context": uuid_text(context),
            "channel": channel,
            "weight": weight,
            "affect": affect,
        }


SPECS = (
    ProjectionSpec(
        entity="recognition",
        model=Recognition,
        to_rows=recognition_rows,
        upsert=cypher.UPSERT_RECOGNITIONS,
        delete=cypher.DELETE_RECOGNITIONS,
        neo4j_state=cypher.RECOGNITIONS_STATE,
        counts_written=True,
        stage=1,
    ),
    ProjectionSpec(
        entity="follow",
        model=Follow,
        to_rows=follow_rows,
        upsert=cypher.UPSERT_FOLLOWS,
        delete=cypher.DELETE_FOLLOWS,
        neo4j_state=cypher.FOLLOWS_STATE,
        counts_written=True,
        stage=1,
    ),
    ProjectionSpec(
        entity="interaction",
        model=Interaction,
        to_rows=interaction_rows,
        upsert=cypher.UPSERT_INTERACTIONS,
        delete=cypher.DELETE_INTERACTIONS,
        neo4j_state=cypher.INTERACTIONS_STATE,
        counts_written=True,
        stage=1,
    ),
)
