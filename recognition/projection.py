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


def recognition_row(
    uuid: Any, giver: Any, receiver: Any, at: Any, context: Any, affect: Any, values: Any
) -> Row:
    """The projected form of one recognition, from raw SQL values or from Python values."""
    return {
        "uuid": uuid_text(uuid),
        "source": uuid_text(giver),
        "target": uuid_text(receiver),
        "ts": epoch_seconds(at),
        "context": uuid_text(context),
        "affect": affect,
        "values": json_list(values),
    }


def follow_row(uuid: Any, follower: Any, leader: Any, context: Any, since: Any, until: Any) -> Row:
    return {
        "uuid": uuid_text(uuid),
        "source": uuid_text(follower),
        "target": uuid_text(leader),
        "context": uuid_text(context),
        "since": epoch_seconds(since),
        "until": epoch_seconds(until),
    }


def interaction_row(
    uuid: Any,
    source: Any,
    target: Any,
    at: Any,
    context: Any,
    channel: Any,
    weight: Any,
    affect: Any,
) -> Row:
    return {
        "uuid": uuid_text(uuid),
        "source": uuid_text(source),
        "target": uuid_text(target),
        "ts": epoch_seconds(at),
        "context": uuid_text(context),
        "channel": channel,
        "weight": weight,
        "affect": affect,
    }


def recognition_rows(queryset: QuerySet[Any]) -> Iterator[Row]:
    fields = ("uuid", "giver__uuid", "receiver__uuid", "at", "context__uuid", "affect", "values")
    return (recognition_row(*values) for values in raw_values(queryset, *fields))


def follow_rows(queryset: QuerySet[Any]) -> Iterator[Row]:
    fields = ("uuid", "follower__uuid", "leader__uuid", "context__uuid", "since", "until")
    return (follow_row(*values) for values in raw_values(queryset, *fields))


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
    return (interaction_row(*values) for values in raw_values(queryset, *fields))


SPECS = (
    ProjectionSpec(
        entity="recognition",
        endpoints=("source", "target"),
        model=Recognition,
        to_rows=recognition_rows,
        upsert=cypher.UPSERT_RECOGNITIONS,
        create=cypher.CREATE_RECOGNITIONS,
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
        create=cypher.CREATE_FOLLOWS,
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
        create=cypher.CREATE_INTERACTIONS,
        delete=cypher.DELETE_INTERACTIONS,
        neo4j_state=cypher.INTERACTIONS_STATE,
        counts_written=True,
        stage=1,
    ),
)
