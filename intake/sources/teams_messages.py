"""Microsoft Graph `chatMessage` objects -> interactions: a reply's author -> the author of the
message it replies to, and an author -> each user the message mentions. Only ids, people and times
are read: never `body`, `subject`, `summary` nor attachments.

A reply may come before its parent (replies exported to another file): it waits, in a bounded
map, until the parent is met; at the end, replies whose parent never came are skipped by rule."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake.records import IntakeItem, InteractionRecord, PersonRef, Rejected, Skipped
from intake.sources.memory import RecentMap, Waiting
from intake.sources.people import teams_person
from intake.sources.times import iso_utc
from recognition.models import Channel

REMEMBERED_AUTHORS = 500_000  # about 100 MB
WAITING_REPLIES = 100_000
BOT = PersonRef("teams", "")  # the author of a message a bot posted
NO_PARENT = "reply to a message not in the export"

Thread = tuple[str, str]  # (channel or chat, message id): message ids are unique only there


@dataclass(frozen=True)
class _Message:
    scope: str
    message_id: str
    author: PersonRef
    at: datetime
    place: str
    mentioned: tuple[PersonRef, ...]

    def to(self, target: PersonRef) -> InteractionRecord:
        event_id = f"msg:{self.scope}:{self.message_id}>{target.identifier}"
        return InteractionRecord(event_id, self.author, target, self.at, Channel.CHAT, self.place)


class MessageReader:
    """Reads messages one by one, remembering who wrote which (for the replies to come)."""

    def __init__(self) -> None:
        self.authors: RecentMap[Thread, PersonRef] = RecentMap(REMEMBERED_AUTHORS)
        self.people: dict[str, PersonRef] = {}  # one PersonRef per person, shared by the map
        self.waiting: Waiting[Thread, _Message] = Waiting(WAITING_REPLIES)

    def read(self, message: dict[str, Any], place: str) -> Iterator[IntakeItem]:
        if message.get("messageType", "message") != "message":
            yield Skipped("system event", place)
            return
        scope, message_id = _scope(message), message.get("id")
        if not scope or not isinstance(message_id, str) or not message_id:
            yield Rejected("no id, or neither channelIdentity nor chatId", place)
            return
        author = _author(message.get("from"))
        if author is not None:
            yield from self._remember((scope, message_id), author)
        if message.get("deletedDateTime"):
            yield Skipped("deleted", place)
        elif author is BOT:
            yield Skipped("bot", place)
        elif author is None:
            yield Rejected("no author (from.user.id)", place)
        else:
            yield from self._interactions(message, scope, message_id, author, place)

    def finish(self) -> Iterator[IntakeItem]:
        for reply in self.waiting.take_all():
            yield Skipped(NO_PARENT, reply.place)

    def _interactions(
        self, message: dict[str, Any], scope: str, message_id: str, author: PersonRef, place: str
    ) -> Iterator[IntakeItem]:
        try:
            at = iso_utc(message.get("createdDateTime"))
        except ValueError as error:
            yield Rejected(f"createdDateTime: {error}", place)
            return
        mentioned = _mentioned(message.get("mentions"))
        read = _Message(scope, message_id, author, at, place, mentioned)
        yield from (read.to(person) for person in mentioned)
        parent_id = message.get("replyToId")
        if not parent_id:
            if not mentioned:
                yield Skipped("no reply and no mention", place)
            return
        parent = self.authors.get((scope, str(parent_id)))
        if parent is None:
            yield from self._wait((scope, str(parent_id)), read)
        else:
            yield from _reply(read, parent)

    def _remember(self, thread: Thread, author: PersonRef) -> Iterator[IntakeItem]:
        if len(self.people) >= REMEMBERED_AUTHORS:
            self.people.clear()
        self.authors.put(thread, self.people.setdefault(author.identifier, author))
        for reply in self.waiting.take(thread):
            yield from _reply(reply, author)

    def _wait(self, parent: Thread, reply: _Message) -> Iterator[IntakeItem]:
        for given_up in self.waiting.add(parent, reply):
            yield Skipped(NO_PARENT, given_up.place)


def _reply(reply: _Message, parent_author: PersonRef) -> Iterator[IntakeItem]:
    if parent_author is BOT:
        if not reply.mentioned:
            yield Skipped("reply to a bot", reply.place)
    elif parent_author.identifier not in {person.identifier for person in reply.mentioned}:
        yield reply.to(parent_author)  # else already met as a mention of the same message


def _scope(message: dict[str, Any]) -> str:
    channel = message.get("channelIdentity")
    if isinstance(channel, dict) and channel.get("teamId") and channel.get("channelId"):
        return sys.intern(f"{channel['teamId']}/{channel['channelId']}")
    chat_id = message.get("chatId")
    return sys.intern(chat_id) if isinstance(chat_id, str) else ""


def _author(sender: Any) -> PersonRef | None:
    person = teams_person(sender)
    if person is None and isinstance(sender, dict) and sender.get("application"):
        return BOT
    return person


def _mentioned(mentions: Any) -> tuple[PersonRef, ...]:
    """Each mentioned user once: Teams splits a full name into one mention per word."""
    people: dict[str, PersonRef] = {}
    for mention in mentions if isinstance(mentions, list) else []:
        mentioned = mention.get("mentioned") if isinstance(mention, dict) else None
        person = teams_person(mentioned)
        if person is not None:
            people.setdefault(person.identifier, person)
    return tuple(people.values())
