"""Facts about the Neo4j server, for health checks and the diagnostics task."""

from __future__ import annotations

from typing import TypedDict

from sociograph.graph import gateway
from sociograph.graph.cypher import system


class ServerInfo(TypedDict):
    version: str
    edition: str


def server_info() -> ServerInfo:
    row = gateway.run_once(system.SERVER_COMPONENTS)[0]
    return {"version": row["version"], "edition": row["edition"]}
