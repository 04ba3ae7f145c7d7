"""How recognitions, follows and interactions appear in Neo4j: one relationship per event,
timestamps as epoch seconds (see docs/graph-model.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from recognition.models import Follow, Interaction, Recognition
from sociograph.graph.cypher import projection as cypher
from sociograph.graph.projection import (
    ProjectionSpec,
    Row,
    epoch_seconds,
    json_list,
    raw_values,
    uuid_text,
)


def recognition_rows(queryset: QuerySet[Any]) -> Iterator[Row]:
    fields = ("uuid", "giver__uuid", "receiver__uuid", "at", "context__uuid", "affect", "values")
    for uuid, giver, receiver, at, context, affect, values in raw_values(queryset, *fields):
        yield {
            "uuid": uuid_text(uuid),
            "source": uuid_text(giver),
            "target": uuid_text(receiver),
            "ts": epoch_seconds(at),
            "context": uuid_text(context),
            "affect": affect,
            "values": json_list(values),
        }


def follow_rows(queryset: QuerySet[Any]) -> Iterator[Row]:
    fields = ("uuid", "follower__uuid", "leader__uuid", "context__uuid", "since", "until")
    for uuid, follower, leader, context, since, until in raw_values(queryset, *fields):
        yield {
            "uuid": uuid_text(uuid),
            "source": uuid_text(follower),
            "target": uuid_text(leader),
            "context": uuid_text(context),
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
    for uuid, source, target, at, context, channel, weight, affect in raw_values(queryset, *fields):
        yield {
            "uuid": uuid_text(uuid),
            "source": uuid_text(source),
            "target": uuid_text(target),
            "ts": epoch_seconds(at),
            "context": uuid_text(context),
            "channel": channel,
            "weight": weight,
            "affect": affect,
        }


SPECS = (
    ProjectionSpec(
        entity="recognition",
        endpoints=("source", "target"),
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
        endpoints=("source", "target"),
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
        endpoints=("source", "target"),
        model=Interaction,
        to_rows=interaction_rows,
        upsert=cypher.UPSERT_INTERACTIONS,
        delete=cypher.DELETE_INTERACTIONS,
        neo4j_state=cypher.INTERACTIONS_STATE,
        counts_written=True,
        stage=1,
    ),
)
