"""What a pattern family is, what it receives and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Window:
    """The events a run looks at: start <= ts < end (epoch seconds)."""

    start: int
    end: int
    params: dict[str, Any] = field(default_factory=dict)
    run_id: int | None = None  # for families built on the results of earlier steps
    # Reads several families need (e.g. the arcs of G), kept for the steps of one execution.
    shared: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class FindingResult:
    pattern: str
    severity: str
    subjects: tuple[str, ...]  # person uuids
    context: str | None = None  # context uuid
    detail: dict[str, Any] = field(default_factory=dict)
    sensitive: bool = True


@dataclass
class FamilyResult:
    person: dict[tuple[str, str], float] = field(default_factory=dict)  # (uuid, metric) -> value
    context: dict[tuple[str, str], float] = field(default_factory=dict)
    org: dict[str, float] = field(default_factory=dict)
    findings: list[FindingResult] = field(default_factory=list)
    graph_size: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Family:
    name: str
    person_metrics: tuple[str, ...]
    context_metrics: tuple[str, ...]
    org_metrics: tuple[str, ...]
    patterns: tuple[str, ...]
    compute: Callable[[Window], FamilyResult]
