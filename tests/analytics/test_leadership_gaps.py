"""analytics.leadership_gaps: the rule of informal leaders and unrecognized formal leaders that the
miner and the portal share, on plain ids."""

from __future__ import annotations

from analytics.leadership_gaps import FormalLeaders, Gaps, leadership_gaps

BOSS_TEAM = FormalLeaders(teams={"boss": frozenset({"r1", "r2"})})


def test_a_manager_nobody_of_their_team_follows_or_recognized_is_unrecognized() -> None:
    gaps = leadership_gaps(BOSS_TEAM, {}, [], min_followers=3)
    assert gaps == Gaps(informal=frozenset(), unrecognized=frozenset({"boss"}))


def test_a_manager_is_recognized_by_a_report_but_not_by_someone_else() -> None:
    assert leadership_gaps(BOSS_TEAM, {"boss": 1}, [("r2", "boss")], 3).unrecognized == set()
    by_outsider = leadership_gaps(BOSS_TEAM, {"boss": 1}, [("x", "boss")], 3)
    assert by_outsider.unrecognized == {"boss"}


def test_a_lead_role_holder_is_recognized_by_anyone() -> None:
    formal = FormalLeaders(lead_holders=frozenset({"lead"}))
    assert leadership_gaps(formal, {}, [], 3).unrecognized == {"lead"}
    assert leadership_gaps(formal, {}, [("x", "lead")], 3).unrecognized == set()


def test_a_manager_without_reports_who_count_is_no_formal_leader() -> None:
    formal = FormalLeaders(teams={"boss": frozenset()})
    assert formal.everyone == set()
    gaps = leadership_gaps(formal, {"boss": 3}, [], 3)
    assert gaps == Gaps(informal=frozenset({"boss"}), unrecognized=frozenset())


def test_informal_leaders_reach_the_threshold_and_lead_nobody_formally() -> None:
    formal = FormalLeaders(lead_holders=frozenset({"lead"}), teams=BOSS_TEAM.teams)
    followers = {"star": 3, "near": 2, "boss": 5, "lead": 4}
    gaps = leadership_gaps(formal, followers, [("r1", "boss"), ("x", "lead")], 3)
    assert gaps == Gaps(informal=frozenset({"star"}), unrecognized=frozenset())


def test_the_rule_works_on_any_ids() -> None:
    formal = FormalLeaders(teams={1: frozenset({2, 3})})
    assert leadership_gaps(formal, {4: 3}, [(3, 1)], 3) == Gaps(frozenset({4}), frozenset())
