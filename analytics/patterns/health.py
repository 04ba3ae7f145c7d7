"""The health index: viability, agility and well-being in [0, 100], each the plain mean of named
components in [0, 1] computed from this run's other results (so it runs last).

Equal weights on purpose: no published weighting of these components exists, and an index
whose every point can be traced to a component HR can read on its own is worth more than
false precision. Components without data are left out of their mean (and said so: each
component is stored as its own org metric, `<dimension>.<component>`).
"""

from __future__ import annotations

from statistics import mean

from analytics.models import ContextMetric, Finding, OrgMetric, PersonMetric
from analytics.patterns import contexts
from analytics.patterns.base import Family, FamilyResult, Window
from people.models import ContextKind


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def _team_values(run_id: int, metric: str) -> list[float]:
    rows = ContextMetric.objects.filter(
        run_id=run_id, metric=metric, context__kind=ContextKind.TEAM
    )
    return list(rows.values_list("value", flat=True))


def _flagged_people(run_id: int, pattern: str) -> int:
    findings = Finding.objects.filter(run_id=run_id, pattern=pattern)
    return findings.values("subjects").distinct().count()


def components(run_id: int, silo_min_members: int) -> dict[str, dict[str, float]]:
    org = dict(OrgMetric.objects.filter(run_id=run_id).values_list("metric", "value"))
    people = org.get("people", 0.0)
    leaders = PersonMetric.objects.filter(run_id=run_id, metric="leader_count")
    big_teams = len([size for size in _team_values(run_id, "size") if size >= silo_min_members])
    exploration = _team_values(run_id, "exploration")
    engagement = _team_values(run_id, "engagement")
    silos = Finding.objects.filter(
        run_id=run_id, pattern="silo", context__kind=ContextKind.TEAM
    ).count()
    found: dict[str, dict[str, float | None]] = {
        "viability": {
            "reciprocity": org.get("reciprocity"),
            "connectedness": 1 - _flagged_people(run_id, "isolation") / people if people else None,
            "leadership_coverage": leaders.filter(value__gte=2).count() / people
            if people
            else None,
            "recognition_reach": 1 - org["never_recognized_share"]
            if "never_recognized_share" in org
            else None,
        },
        "agility": {
            "boundary_spanning": (org["ei_index"] + 1) / 2 if "ei_index" in org else None,
            "exploration": mean(exploration) if exploration else None,
            "openness": 1 - _clip(org["modularity_of_teams"])
            if "modularity_of_teams" in org
            else None,
            "silo_free": 1 - silos / big_teams if big_teams else None,
        },
        "wellbeing": {
            "affect": (org["mean_affect"] + 1) / 2 if "mean_affect" in org else None,
            "engagement": mean(engagement) if engagement else None,
            "recognition_equity": 1 - org["recognition_gini"]
            if "recognition_gini" in org
            else None,
            "contagion_free": 1 - _flagged_people(run_id, "negative_contagion") / people
            if people
            else None,
        },
    }
    return {
        dimension: {name: _clip(value) for name, value in parts.items() if value is not None}
        for dimension, parts in found.items()
    }


def compute(window: Window) -> FamilyResult:
    if window.run_id is None:
        raise ValueError("the health index is built on a run's results")
    result = FamilyResult()
    silo_min_members = {**contexts.DEFAULTS, **window.params}["silo_min_members"]
    for dimension, parts in components(window.run_id, int(silo_min_members)).items():
        for name, value in parts.items():
            result.org[f"{dimension}.{name}"] = value
        if parts:
            result.org[dimension] = 100 * mean(parts.values())
    return result


COMPONENTS = {
    "viability": ("reciprocity", "connectedness", "leadership_coverage", "recognition_reach"),
    "agility": ("boundary_spanning", "exploration", "openness", "silo_free"),
    "wellbeing": ("affect", "engagement", "recognition_equity", "contagion_free"),
}

FAMILY = Family(
    name="health",
    person_metrics=(),
    context_metrics=(),
    org_metrics=(
        *COMPONENTS,
        *(f"{dimension}.{name}" for dimension, names in COMPONENTS.items() for name in names),
    ),
    patterns=(),
    compute=compute,
)
