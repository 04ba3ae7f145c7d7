"""The leadership view's rule (docs/portal.md, "Leadership"), on people and follows planted in
SQL under a planted run whose window ends on END_DAY."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from analytics.models import MiningRun
from people.models import Context, Membership, Person
from recognition.models import Follow, Recognition
from tests.support import planting
from web.portal.selectors import Leadership, leadership

pytestmark = [pytest.mark.django_db]

END = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
END_DAY = date(2026, 6, 30)


@pytest.fixture(autouse=True)
def run() -> MiningRun:
    return planting.planted_run(END, {"people": 40})


def person(external_id: str, manager: Person | None = None, **fields: object) -> Person:
    return Person.objects.create(
        external_id=external_id, name=external_id, manager=manager, **fields
    )


def context(key: str) -> Context:
    kind, name = key.split(":")
    return Context.objects.create(kind=kind, name=name)


def join(context: Context, *people: Person, role: str = "", **period: date) -> None:
    for someone in people:
        Membership.objects.create(person=someone, context=context, role=role, **period)


def follow(follower: Person, leader: Person, context: Context, **period: datetime) -> None:
    since = period.pop("since", END - timedelta(days=30))
    Follow.objects.create(follower=follower, leader=leader, context=context, since=since, **period)


def ids(people: list[Person]) -> list[str]:
    return sorted(someone.external_id for someone in people)


def formal_ids(view: Leadership) -> list[str]:
    return ids([formal.person for formal in view.formal_leaders])


def test_a_guild_whose_members_managers_are_not_members_has_no_formal_leader_and_no_gap() -> None:
    guild = context("community:Guild")
    bosses = [person(f"B{i}") for i in range(5)]
    members = [person(f"M{i}", manager=boss) for i, boss in enumerate(bosses)]
    join(guild, *members)
    view = leadership(guild)
    assert not view.withheld
    assert view.formal_leaders == []
    assert view.unrecognized == []


def test_a_guild_member_managing_another_member_is_no_formal_leader_of_it() -> None:
    guild = context("community:Guild")
    boss = person("B")
    join(guild, boss, *(person(f"M{i}", manager=boss) for i in range(4)))
    assert leadership(guild).formal_leaders == []


def test_a_guild_lead_role_holder_whom_no_member_follows_is_the_one_gap() -> None:
    guild = context("community:Guild")
    lead = person("L")
    others = [person(f"M{i}") for i in range(4)]
    join(guild, lead, role="LEAD")
    join(guild, *others)
    follow(others[0], lead, context("team:Elsewhere"))  # elsewhere: does not count here
    view = leadership(guild)
    assert formal_ids(view) == ids(view.unrecognized) == ["L"]
    follow(others[0], lead, guild)
    assert leadership(guild).unrecognized == []


def test_a_team_whose_manager_is_a_member_and_followed_by_a_report_has_no_gap() -> None:
    team = context("team:Platform")
    manager = person("BOSS")
    reports = [person(f"R{i}", manager=manager) for i in range(4)]
    join(team, manager, *reports)
    view = leadership(team)
    assert formal_ids(view) == ids(view.unrecognized) == ["BOSS"]
    follow(reports[2], manager, team)
    view = leadership(team)
    assert formal_ids(view) == ["BOSS"]
    assert view.unrecognized == []
    assert view.leaders[0].is_formal_leader
    assert not view.leaders[0].is_informal


def test_a_team_manager_recognized_by_a_report_in_the_window_is_recognized() -> None:
    team = context("team:Platform")
    manager = person("BOSS")
    reports = [person(f"R{i}", manager=manager) for i in range(4)]
    join(team, manager, *reports)
    Recognition.objects.create(
        giver=reports[0], receiver=manager, context=team, at=END - timedelta(days=3)
    )
    assert leadership(team).unrecognized == []


def test_a_manager_who_left_before_the_window_end_is_not_listed() -> None:
    team = context("team:Platform")
    gone = person("GONE", left_on=END_DAY - timedelta(days=5), is_active=False)
    reports = [person(f"R{i}", manager=gone) for i in range(5)]
    join(team, gone, *reports)
    for report in reports[:3]:
        follow(report, gone, team)
    view = leadership(team)
    assert view.size == 5
    assert view.formal_leaders == []
    assert view.leaders == []
    assert view.informal == []


def test_an_ended_membership_is_no_membership_and_its_follows_do_not_count() -> None:
    guild = context("community:Guild")
    star = person("STAR")
    stayers = [person(f"M{i}") for i in range(4)]
    leaver = person("LEFT-GUILD")
    join(guild, star, *stayers)
    join(guild, leaver, until=END_DAY - timedelta(days=1))
    for follower in [*stayers[:2], leaver]:
        follow(follower, star, guild)
    view = leadership(guild)
    assert view.size == 5
    assert [(leader.person.external_id, leader.followers) for leader in view.leaders] == [
        ("STAR", 2)
    ]
    assert view.informal == []
    follow(stayers[2], star, guild)
    assert ids(leadership(guild).informal) == ["STAR"]


def test_duplicate_follow_records_and_follows_ended_before_the_window_end_count_once() -> None:
    guild = context("community:Guild")
    star = person("STAR")
    fans = [person(f"M{i}") for i in range(4)]
    join(guild, star, *fans)
    follow(fans[0], star, guild)
    follow(fans[0], star, guild, since=END - timedelta(days=20))  # the same follower again
    follow(fans[1], star, guild)
    follow(fans[2], star, guild, until=END - timedelta(days=1))  # ended before the window's end
    view = leadership(guild)
    assert [leader.followers for leader in view.leaders] == [2]
    assert view.informal == []


def test_an_informal_leader_is_a_member_not_a_formal_leader_of_the_context() -> None:
    team = context("project:Atlas")
    manager = person("BOSS")
    reports = [person(f"R{i}", manager=manager) for i in range(4)]
    outsider = person("OUT")
    join(team, manager, *reports)
    for report in reports[:3]:
        follow(report, manager, team)
        follow(report, outsider, team)
    view = leadership(team)
    assert {leader.person.external_id for leader in view.leaders} == {"BOSS", "OUT"}
    assert view.informal == []  # BOSS leads formally, OUT is no member
    join(team, outsider)
    assert ids(leadership(team).informal) == ["OUT"]
