"""The portal tests' planted organization (its people and events as CSV rows), logged-in
clients, and planted runs.

Members: community:Guild E3-E8 (6), project:Atlas E1, E2, E4, E6, E7 (5), team:Platform E2-E4
(3: withheld). In the Guild, E3 has no reports and three followers (an informal leader); E5
manages E6-E8, none of whom follows or recognized them (an unrecognized formal leader).
team:Support S1-S5 keeps the organization (13) more than 4 people larger than the Guild and
Atlas, so that the release rule (analytics.release) does not withhold them against the org.
"""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from analytics.models import MiningRun
from people.models import Context, Person
from sociograph.accounts.roles import Role
from tests.support import planting
from tests.support.users import client_of, user_with_role

ORG = [
    "E1,Ada,,CEO,,team:Leadership;project:Atlas",
    "E2,Bea,,Manager,E1,team:Platform;project:Atlas",
    "E3,Cai,,Engineer,E2,team:Platform;community:Guild",
    "E4,Dee,,Engineer,E2,team:Platform;community:Guild;project:Atlas",
    "E5,Eli,,Analyst,E1,team:Insights;community:Guild",
    "E6,Fay,,Engineer,E5,community:Guild;project:Atlas",
    "E7,Gus,,Engineer,E5,community:Guild;project:Atlas",
    "E8,Hal,,Engineer,E5,community:Guild",
    *(f"S{n},Sam {n},,Support,E1,team:Support" for n in range(1, 6)),
]


def days_ago(days: int) -> str:
    return (timezone.now() - timedelta(days=days)).isoformat()


def follow(source: str, target: str, context: str) -> str:
    return f"follow,{source},{target},{context},{days_ago(30)},,,,,,"


def recognition(source: str, target: str, context: str, days: int) -> str:
    return f"recognition,{source},{target},{context},{days_ago(days)},0.5,,,,,"


def interaction(source: str, target: str, days: int) -> str:
    return f"interaction,{source},{target},,{days_ago(days)},,1,,,chat,"


def events() -> list[str]:
    return [
        follow("E6", "E3", "community:Guild"),
        follow("E7", "E3", "community:Guild"),
        follow("E8", "E3", "community:Guild"),
        follow("E8", "E4", "community:Guild"),
        follow("E5", "E4", "community:Guild"),
        follow("E7", "E1", "team:Leadership"),
        follow("E3", "E2", "team:Platform"),
        follow("E4", "E1", "team:Leadership"),
        follow("E5", "E1", "team:Leadership"),
        follow("E2", "E1", "team:Leadership"),
        recognition("E6", "E3", "community:Guild", 40),
        recognition("E7", "E3", "community:Guild", 5),
        recognition("E3", "E6", "community:Guild", 5),
        # The Guild talks a lot inside itself; Atlas little: energy tells them apart.
        *(interaction(a, b, day) for day in (3, 4, 5) for a, b in [("E3", "E4"), ("E4", "E3")]),
        *(interaction(a, b, day) for day in (3, 4) for a, b in [("E6", "E7"), ("E7", "E8")]),
        interaction("E6", "E3", 6),
        interaction("E6", "E8", 6),
        interaction("E1", "E2", 7),
        *(interaction(f"S{n}", f"S{n % 5 + 1}", 8) for n in range(1, 6)),
    ]


def logged_in(username: str, role: Role, person: str = "") -> Client:
    return client_of(user_with_role(role, username, person=person or None, password="not-used"))


def pk_of(external_id: str) -> int:
    return Person.objects.get(external_id=external_id).pk


def planted_run(days_before: int, org: dict[str, float]) -> MiningRun:
    """A succeeded run (not mined) that finished `days_before` days ago, with these org metrics."""
    return planting.planted_run(timezone.now() - timedelta(days=days_before), org)


def leadership_url(key: str) -> str:
    kind, name = key.split(":")
    return reverse("portal:leadership", args=[Context.objects.get(kind=kind, name=name).pk])
