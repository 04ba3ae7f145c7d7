"""Mine a loaded scenario with every pattern family (the health index aside: it summarizes the
others from SQL) and read its findings and metrics by external id."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from analytics.patterns.base import Window
from analytics.services import FAMILIES
from people.models import Context
from tests.scenarios.builder import END, START


@dataclass
class Mined:
    findings: dict[str, set[tuple[str, ...]]] = field(default_factory=lambda: defaultdict(set))
    details: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = field(default_factory=dict)
    person: dict[tuple[str, str], float] = field(default_factory=dict)
    context: dict[tuple[str, str], float] = field(default_factory=dict)
    org: dict[str, float] = field(default_factory=dict)


def mine(uuids: dict[str, str], params: dict[str, Any] | None = None) -> Mined:
    keys = {uuid: key for key, uuid in uuids.items()}
    contexts = {str(c.uuid): c.key for c in Context.objects.all()}
    window = Window(int(START.timestamp()), int(END.timestamp()), params or {})
    mined = Mined()
    for family in FAMILIES:
        if family.name == "health":
            continue
        result = family.compute(window)
        for finding in result.findings:
            subjects = tuple(sorted(keys[s] for s in finding.subjects))
            if finding.context and not subjects:
                subjects = (contexts[finding.context],)
            mined.findings[finding.pattern].add(subjects)
            mined.details[finding.pattern, subjects] = finding.detail
        mined.person.update({(keys[p], m): v for (p, m), v in result.person.items()})
        mined.context.update({(contexts[c], m): v for (c, m), v in result.context.items()})
        mined.org.update(result.org)
    return mined
