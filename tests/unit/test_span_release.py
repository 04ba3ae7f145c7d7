"""analytics.release.span_leaks: the groups of 1-4 people some combination (sums and
differences) of released item sets singles out, on hand-made sets (items are person ids, or
(person, answer) pairs)."""

from __future__ import annotations

from collections.abc import Hashable

from analytics.release import span_isolates, span_leaks


def _person(item: Hashable) -> Hashable:
    return item[0] if isinstance(item, tuple) else item


def _people(first: int, last: int) -> set[int]:
    return set(range(first, last + 1))


def test_the_rest_of_a_group_after_subtracting_its_parts_is_singled_out() -> None:
    org, alpha, beta = _people(1, 13), _people(1, 6), _people(7, 11)
    assert span_leaks([org, alpha, beta], _person) == {frozenset({12, 13})}
    assert span_isolates([org, alpha, beta], _person) == {12, 13}


def test_only_groups_of_five_or_more_recoverable_is_no_leak() -> None:
    assert span_leaks([_people(1, 13), _people(1, 6)], _person) == set()  # org - Alpha: 7 people


def test_disjoint_teams_and_their_sum_single_out_nobody() -> None:
    teams = [_people(start, start + 4 + start % 3) for start in range(1, 200, 10)]
    org = set().union(*teams)
    assert span_leaks([org, *teams], _person) == set()


def test_a_difference_of_two_atoms_is_found() -> None:
    shared = _people(10, 19)
    one, other = {1} | shared, {2} | shared  # one - other = person 1's answer - person 2's
    assert span_leaks([one, other], _person) == {frozenset({1, 2})}


def test_three_atoms_inside_one_set_are_found() -> None:
    # team - rest = a + b + c, and no one of them alone: each is tied to its own large set.
    rest, big_a, big_b = _people(10, 14), _people(20, 29), _people(30, 39)
    team = {1, 2, 3} | rest
    sets = [team, rest, {1} | big_a, {2} | big_b]
    assert span_leaks(sets, _person) == {frozenset({1, 2, 3})}


def test_one_persons_answers_in_several_atoms_count_once() -> None:
    org = {(person, 0) for person in range(1, 12)} | {(12, 0), (12, 1)}
    alpha = {(person, 0) for person in range(1, 12)}
    assert span_leaks([org, alpha], _person) == {frozenset({12})}


def test_a_known_group_is_not_reported_again() -> None:
    sets = [_people(1, 13), _people(1, 6), _people(7, 11)]
    known: set[frozenset[Hashable]] = {frozenset({12, 13})}
    assert span_isolates(sets, _person, known) == frozenset()
