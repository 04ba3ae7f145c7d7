"""The release rule itself (analytics.release), on groups planted in SQL."""

from __future__ import annotations

import pytest

from analytics.models import MiningRun, RunRelease, RunStatus
from analytics.release import ORG, release_of
from people.models import Context, Membership
from tests.support.release_scenarios import (
    END,
    NEXT_END,
    growing_team,
    join,
    outsiders,
    overlapping_groups,
    person,
    run_measuring,
    team_of,
)

pytestmark = pytest.mark.django_db


def test_the_smaller_of_two_groups_differing_by_one_person_is_withheld() -> None:
    planted = overlapping_groups()
    release = release_of(planted.run)
    assert release.context_released(planted.team.pk)
    assert not release.context_released(planted.subset.pk)
    assert release.withheld[str(planted.subset.pk)] == "differs by 1 person from team:Core"
    assert release.org_released


def test_groups_five_or_more_people_apart_are_both_released() -> None:
    core = team_of(person("M"), 9)
    outsiders()
    team = Context.objects.create(kind="team", name="Core")
    half = Context.objects.create(kind="project", name="Half")
    join(team, core)
    join(half, core[:5])
    release = release_of(run_measuring(END, 16, {team: 10, half: 5}))
    assert release.context_released(team.pk)
    assert release.context_released(half.pk)


def test_the_org_is_a_group_too_a_context_of_the_org_minus_two_is_withheld() -> None:
    staff = team_of(person("M"), 7)  # 8 people, no outsiders
    team = Context.objects.create(kind="team", name="Almost everyone")
    join(team, staff[:6])
    release = release_of(run_measuring(END, 8, {team: 6}))
    assert release.org_released  # the larger group of the pair stays
    assert release.withheld[str(team.pk)] == "differs by 2 people from org"


def test_an_org_under_five_people_is_withheld() -> None:
    team_of(person("M"), 3)
    release = release_of(run_measuring(END, 4, {}))
    assert not release.org_released
    assert release.withheld[ORG] == "fewer than 5 people"


def test_of_two_equal_groups_in_conflict_the_first_by_name_is_released() -> None:
    staff = team_of(person("M"), 6)
    outsiders()
    alpha = Context.objects.create(kind="team", name="Alpha")
    beta = Context.objects.create(kind="team", name="Beta")
    join(alpha, staff[:6])
    join(beta, staff[1:])  # the same size, two people apart
    release = release_of(run_measuring(END, 13, {alpha: 6, beta: 6}))
    assert release.context_released(alpha.pk)
    assert not release.context_released(beta.pk)


def test_only_consecutive_runs_are_compared() -> None:
    """Run 2 is withheld (one person more than run 1); run 3, with run 2's members, compares with
    run 2, where nothing was released about the team: released (docs/api.md says so)."""
    planted = growing_team()
    later = run_measuring(NEXT_END.replace(day=15), 13, {planted.team: 7})
    assert release_of(planted.before).context_released(planted.team.pk)
    assert not release_of(planted.after).context_released(planted.team.pk)
    assert release_of(later).context_released(planted.team.pk)


def test_a_decision_is_stored_once_and_earlier_runs_are_decided_first() -> None:
    planted = growing_team()
    release_of(planted.after)  # decides run 1 first: run 2 depends on it
    assert RunRelease.objects.count() == 2
    Membership.objects.all().delete()  # later edits do not change what was released
    assert not release_of(planted.after).context_released(planted.team.pk)
    assert release_of(planted.before).context_released(planted.team.pk)


def test_a_run_that_did_not_succeed_releases_nothing() -> None:
    planted = overlapping_groups()
    MiningRun.objects.filter(pk=planted.run.pk).update(status=RunStatus.RUNNING, finished_at=None)
    planted.run.refresh_from_db()
    release = release_of(planted.run)
    assert not release.org_released
    assert not release.context_released(planted.team.pk)
    assert release.context_withheld(planted.team.pk)
    assert not RunRelease.objects.exists()
