"""Bonusly bonuses (API v1 `/bonuses` objects) as recognitions: one per receiver.

Read: the bonus id, `created_at`, the giver and receivers (Bonusly user id, e-mail, name), the
company `value` and `hashtag`, `via`, `parent_bonus_id` and `child_count`. The `reason` is passed
on as the recognition's message, which the pipeline keeps only when
SOCIOGRAPH_INTAKE_KEEP_RECOGNITION_MESSAGES is on; it is never searched for hashtags or mentions.
Never read: `reason_html`, amounts, images, anything else.

An add-on (a bonus with `parent_bonus_id`) recognizes the parent's receivers on behalf of its own
giver. The parent's receivers are remembered for the most recent bonuses (a bounded map); an
add-on met before its parent (the API lists newest first) waits for it, within a bound; one whose
parent never comes uses its own `receivers` when it has them, else is skipped.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from intake.identities import normalized_email
from intake.records import (
    IdentityHint,
    IntakeItem,
    PersonRef,
    RecognitionRecord,
    Rejected,
    Skipped,
    SourceFormatError,
)
from intake.sources.json_stream import JsonItem, OuterField, Unreadable, Wrapper, json_items
from intake.sources.memory import RecentMap, Waiting
from intake.sources.times import iso_utc
from people.models import IdentitySource

# `via` of the bonuses Bonusly gives by itself on work anniversaries and birthdays.
AUTOMATED_VIA = frozenset({"anniversary", "birthday", "automated", "system"})
RULE_AUTOMATED = "automated"
RULE_UNKNOWN_PARENT = "add-on of an unknown bonus"
RULE_RECEIVER_TWICE = "receiver listed twice"
KEPT_PARENTS = 200_000
WAITING_ADD_ONS = 20_000
API_ANSWER = Wrapper("result", first_keys=frozenset({"success", "message"}))
ANSWER_KEYS = frozenset({"success", "result", "message"})


@dataclass(frozen=True)
class Bonus:
    id: str
    place: str
    at: datetime
    giver: PersonRef
    receivers: tuple[PersonRef, ...]  # each once
    repeated_receivers: int
    unreadable_receivers: int
    parent_id: str
    may_have_add_ons: bool
    values: tuple[str, ...]
    message: str


def read_bonusly(path: Path, system_givers: Collection[str] = ()) -> Iterator[IntakeItem]:
    """Every item of a Bonusly export: the API's answer, a bare array, or JSON Lines.
    `system_givers` (user ids or e-mails) name accounts whose bonuses are automated."""
    parser = BonuslyParser(path.name, system_givers)
    position = ""
    try:
        for position, document in _documents(path):
            yield from parser.take(position, document)
    except SourceFormatError as error:
        if not position:
            raise
        # What was read is stored; the rest is one rejection, so the import ends in error.
        yield Rejected(f"the rest of the file cannot be read: {error}", f"{path.name} {position}")
    yield from parser.finish()


def _documents(path: Path) -> Iterator[tuple[str, Any]]:
    """Each bonus (or unreadable line) with its position, once the API's answer says success."""
    answer: dict[str, Any] = {}
    for part in json_items(path, API_ANSWER):
        if isinstance(part, OuterField):
            answer[part.key] = part.value
            continue
        _check_success(answer)
        if isinstance(part, JsonItem) and _is_answer_without_result(part.value):
            raise SourceFormatError('the answer has no "result" list')
        yield part.position, part.value if isinstance(part, JsonItem) else part
    _check_success(answer)


def _check_success(answer: dict[str, Any]) -> None:
    if answer.get("success") is False:
        raise SourceFormatError(f"the API answered an error: {answer.get('message', '')!r}")


def _is_answer_without_result(document: Any) -> bool:
    return isinstance(document, dict) and document.keys() <= ANSWER_KEYS


class BonuslyParser:
    def __init__(self, file_name: str, system_givers: Collection[str] = ()) -> None:
        self.file_name = file_name
        self.system_givers = {_system_key(giver) for giver in system_givers}
        self.receivers_of: RecentMap[str, tuple[PersonRef, ...]] = RecentMap(KEPT_PARENTS)
        self.waiting: Waiting[str, Bonus] = Waiting(WAITING_ADD_ONS)
        self.introduced: set[str] = set()

    def take(self, position: str, document: Any) -> Iterator[IntakeItem]:
        read = self._bonus(position, document)
        if isinstance(read, Bonus):
            yield from self._introduce(read)
            yield from self._recognitions(read)
        else:
            yield read

    def finish(self) -> Iterator[IntakeItem]:
        """The add-ons still waiting for a parent that never came."""
        for add_on in self.waiting.take_all():
            yield Skipped(RULE_UNKNOWN_PARENT, add_on.place)

    def _introduce(self, bonus: Bonus) -> Iterator[IdentityHint]:
        """Each person's e-mail and name once, so that HR sees them on an unresolved identity."""
        for person in (bonus.giver, *bonus.receivers):
            if person.source == IdentitySource.BONUSLY and person.identifier not in self.introduced:
                self.introduced.add(person.identifier)
                yield IdentityHint(person)

    def _bonus(self, position: str, document: Any) -> Bonus | Skipped | Rejected:
        place = f"{self.file_name} {position}"
        if isinstance(document, Unreadable):
            return Rejected(document.reason, place)
        if not isinstance(document, dict):
            return Rejected("not a bonus object", place)
        bonus_id = _text(document.get("id"))
        if not bonus_id:
            return Rejected("a bonus without an id", place)
        place = f"{place} (bonus {bonus_id})"
        if self._is_automated(document):
            return Skipped(RULE_AUTOMATED, place)
        try:
            at = iso_utc(document.get("created_at"))
        except ValueError as problem:
            return Rejected(f"created_at {problem}", place)
        giver = _person(document.get("giver"))
        if giver is None:
            return Rejected("a giver without an id or e-mail", place)
        receivers, repeated, unreadable = _receivers(document)
        return Bonus(
            id=bonus_id,
            place=place,
            at=at,
            giver=giver,
            receivers=receivers,
            repeated_receivers=repeated,
            unreadable_receivers=unreadable,
            parent_id=_text(document.get("parent_bonus_id")),
            may_have_add_ons=document.get("child_count") != 0,
            values=_values(document),
            message=_text(document.get("reason")),
        )

    def _is_automated(self, document: dict[str, Any]) -> bool:
        if _text(document.get("via")).lower() in AUTOMATED_VIA:
            return True
        giver = document.get("giver")
        if not giver:
            return True
        if not isinstance(giver, dict):
            return False
        keys = {_text(giver.get("id")), _system_key(_text(giver.get("email")))}
        return not self.system_givers.isdisjoint(keys - {""})

    def _recognitions(self, bonus: Bonus) -> Iterator[IntakeItem]:
        yield from (
            Rejected("a receiver without an id or e-mail", bonus.place)
            for _ in range(bonus.unreadable_receivers)
        )
        yield from (
            Skipped(RULE_RECEIVER_TWICE, bonus.place) for _ in range(bonus.repeated_receivers)
        )
        receivers = self._receivers_for(bonus)
        if receivers is None:
            yield from self._wait(bonus)
            return
        if not receivers:
            if not bonus.unreadable_receivers:
                yield Rejected("a bonus without receivers", bonus.place)
            return
        if bonus.may_have_add_ons:
            self.receivers_of.put(bonus.id, receivers)
        yield from _per_receiver(bonus, receivers)
        for add_on in self.waiting.take(bonus.id):
            yield from _per_receiver(add_on, receivers)

    def _receivers_for(self, bonus: Bonus) -> tuple[PersonRef, ...] | None:
        """The people a bonus recognizes; None when an add-on must wait for its parent."""
        if not bonus.parent_id:
            return bonus.receivers
        parents = self.receivers_of.get(bonus.parent_id)
        if parents:
            return parents
        return bonus.receivers or None

    def _wait(self, add_on: Bonus) -> Iterator[IntakeItem]:
        for given_up in self.waiting.add(add_on.parent_id, add_on):
            yield Skipped(RULE_UNKNOWN_PARENT, given_up.place)


def _per_receiver(bonus: Bonus, receivers: tuple[PersonRef, ...]) -> Iterator[IntakeItem]:
    for receiver in receivers:
        yield RecognitionRecord(
            event_id=f"{bonus.id}:{receiver.identifier}",
            giver=bonus.giver,
            receiver=receiver,
            at=bonus.at,
            place=bonus.place,
            values=bonus.values,
            message=bonus.message,
        )


def _receivers(document: dict[str, Any]) -> tuple[tuple[PersonRef, ...], int, int]:
    """The receivers (`receivers`, or the older single `receiver`) each once, how many were
    listed again, and how many are unusable."""
    listed = document.get("receivers")
    if not listed:
        single = document.get("receiver")
        listed = [single] if single else []
    if not isinstance(listed, list):
        listed = [listed]
    people = [_person(entry) for entry in listed]
    usable = [person for person in people if person is not None]
    unique: dict[tuple[str, str], PersonRef] = {}
    for person in usable:
        unique.setdefault((person.source, person.identifier), person)
    return tuple(unique.values()), len(usable) - len(unique), len(people) - len(usable)


def _person(data: Any) -> PersonRef | None:
    if not isinstance(data, dict):
        return None
    identifier = _text(data.get("id"))
    email = _text(data.get("email"))
    name = _text(data.get("full_name")) or _text(data.get("display_name"))
    if identifier:
        return PersonRef(IdentitySource.BONUSLY, identifier, email=email, name=name)
    if email:
        return PersonRef(IdentitySource.EMAIL, email, name=name)
    return None


def _values(document: dict[str, Any]) -> tuple[str, ...]:
    """The company value and the bonus's hashtag, lower-case, without '#', each once."""
    found = (_text(document.get("value")), _text(document.get("hashtag")))
    cleaned = (value.lstrip("#").strip().lower() for value in found)
    return tuple(dict.fromkeys(value for value in cleaned if value))


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, str | int):
        return str(value).strip()
    return ""


def _system_key(id_or_email: str) -> str:
    return normalized_email(id_or_email) if "@" in id_or_email else id_or_email.strip()
