"""Whole-server operations: facts for health checks and diagnostics, and wiping the graph."""

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


def wipe_graph() -> None:
    """Delete every node and relationship of the projection database."""
    gateway.run_once(system.DELETE_ALL_RELATIONSHIPS)
    gateway.run_once(system.DELETE_ALL_NODES)
