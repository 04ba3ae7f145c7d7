"""The order of G's nodes must not depend on the uuids an import happened to draw: the seeded
draws of the null models (negative_contagion's ring sampling and permutations) and the order of
floating sums follow it, so two imports of the same data mined differently before."""

from __future__ import annotations

from typing import Any

import pytest

from analytics.patterns import roster
from analytics.patterns.base import Window

EXTERNAL_IDS = ["E001", "E002", "E003", "E004"]


def _window_over(uuids: list[str], monkeypatch: pytest.MonkeyPatch) -> Window:
    people = [
        {
            "uuid": uuid,
            "external_id": external_id,
            "active": True,
            "opted_out": False,
            "joined_on": None,
            "left_on": None,
        }
        for uuid, external_id in zip(uuids, EXTERNAL_IDS, strict=True)
    ]

    def read(query: str, **params: Any) -> list[dict[str, Any]]:
        if query is roster.PEOPLE:
            return people
        if query is roster.ARCS:
            return [{"source": uuids[0], "target": uuids[3], "events": 2}]
        return []

    monkeypatch.setattr(roster.gateway, "read", read)
    return Window(start=1_735_689_600, end=1_743_465_600)


def _external_order(uuids: list[str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    external = dict(zip(uuids, EXTERNAL_IDS, strict=True))
    return [external[u] for u in roster.graph_people(_window_over(uuids, monkeypatch))]


def test_graph_people_follow_external_ids_not_uuids(monkeypatch: pytest.MonkeyPatch) -> None:
    first_import = ["d" * 32, "a" * 32, "c" * 32, "b" * 32]
    second_import = ["1" * 32, "f" * 32, "0" * 32, "9" * 32]
    assert _external_order(first_import, monkeypatch) == EXTERNAL_IDS
    assert _external_order(second_import, monkeypatch) == EXTERNAL_IDS
