"""Who wrote to whom, from the headers of mbox files and Maildir folders (docs/intake.md).

Every message yields one item per recipient (To: weight 1, Cc: `cc_weight`), or one item for the
whole message when a rule skips it (auto-reply, mailing list, bulk, external sender...) or it
cannot be read (no sender, broken Date). A reply also yields an edge to the author of the message
it answers (In-Reply-To) when that message is in the same import, read before or after it. The
event id is the Message-ID and the recipient, so a message found in several mailboxes (the
sender's Sent folder, each recipient's inbox) is stored once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

from intake.identities import normalized_email
from intake.records import IntakeItem, InteractionRecord, Rejected, Skipped
from intake.sources.domains import in_domains, is_external
from intake.sources.mailboxes import Headers, read_mailboxes
from intake.sources.memory import RecentMap, Waiting
from intake.sources.people import email_person
from intake.sources.times import as_utc
from recognition.models import Channel

TO_WEIGHT = 1.0
REPLY_WEIGHT = 1.0  # answering someone, on top of addressing them
REMEMBERED_MESSAGES = 100_000  # authors, and replies waiting for theirs, kept for reply edges
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
BULK_PRECEDENCE = frozenset({"bulk", "junk"})
LIST_PRECEDENCE = "list"
SPECIALS = frozenset('"();:\\')  # quoted names, comments, groups: for the full parser


@dataclass(frozen=True)
class MailRules:
    cc_weight: float
    lists: frozenset[str] = frozenset()  # distribution lists: addresses, or domains
    internal_domains: frozenset[str] = frozenset()  # empty: every address is looked up

    def is_list(self, address: str) -> bool:
        return address in self.lists or in_domains(address, self.lists)

    def is_external(self, address: str) -> bool:
        return is_external(address, self.internal_domains)


def read_mail(path: Path, rules: MailRules) -> Iterator[IntakeItem]:
    replies = _Replies(REMEMBERED_MESSAGES)
    for headers in read_mailboxes(path):
        yield from _message_items(headers, rules, replies)


@dataclass(frozen=True)
class _Message:
    message_id: str
    sender: str
    at: datetime
    place: str


class _Replies:
    """Reply edges whatever the order messages are read in: the authors of recent messages by
    Message-ID, and the replies still waiting for the message they answer (both bounded)."""

    def __init__(self, size: int) -> None:
        self.authors: RecentMap[str, str] = RecentMap(size)
        self.waiting: Waiting[str, _Message] = Waiting(size)  # given up silently: To still counts

    def edges(self, message: _Message, replied_to: str) -> Iterator[tuple[_Message, str]]:
        """(reply, author of the message it answers) pairs that `message` completes."""
        author = self.authors.get(replied_to)
        if author is not None:
            yield message, author
        elif replied_to:
            self.waiting.add(replied_to, message)
        replies = {reply.message_id: reply for reply in self.waiting.take(message.message_id)}
        for reply in replies.values():  # a reply in several mailboxes waited once per copy
            yield reply, message.sender
        self.authors.put(message.message_id, message.sender)


def _message_items(headers: Headers, rules: MailRules, replies: _Replies) -> Iterator[IntakeItem]:
    message_id = _message_id(headers.first("message-id"))
    place = f"{headers.place} <{message_id}>" if message_id else headers.place
    if rule := _skipping_rule(headers):
        yield Skipped(rule, place)
        return
    at = _sent_at(headers.first("date"))
    if isinstance(at, str):
        yield Rejected(at, place)
        return
    sender = _first_address(headers.all("from"))
    if "@" not in sender:
        yield Rejected("no readable sender address in From", place)
        return
    if rule := _sender_rule(sender, rules):
        yield Skipped(rule, place)
        return
    recipients = _recipients(headers, rules.cc_weight)
    message = _Message(message_id or _derived_id(sender, at, recipients), sender, at, place)
    if not recipients:
        yield Skipped("no recipients", place)
    for address, weight in recipients.items():
        yield _recipient_item(message, address, weight, rules)
    for reply, author in replies.edges(message, _message_id(headers.first("in-reply-to"))):
        if author != reply.sender:
            yield _edge(reply, author, REPLY_WEIGHT, f"{reply.message_id} replies to {author}")


def _skipping_rule(headers: Headers) -> str | None:
    auto_submitted = headers.first("auto-submitted").lower()
    if (auto_submitted and auto_submitted != "no") or _any(headers, "x-autoreply", "x-autorespond"):
        return "auto-reply"
    precedence = headers.first("precedence").lower()
    if _any(headers, "list-id") or precedence == LIST_PRECEDENCE:
        return "mailing list"
    if precedence in BULK_PRECEDENCE:
        return "bulk"
    return None


def _any(headers: Headers, *names: str) -> bool:
    return any(name in headers.fields for name in names)


def _sender_rule(sender: str, rules: MailRules) -> str | None:
    if rules.is_list(sender):
        return "distribution list sender"
    if rules.is_external(sender):
        return "external sender"
    return None


def _message_id(value: str) -> str:
    found = MESSAGE_ID.search(value)
    return found.group(1) if found else ""


def _sent_at(value: str) -> datetime | str:
    """The Date in UTC, or why it cannot be read. A zone of -0000 (no local zone known) is UTC."""
    if not value:
        return "no Date header"
    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return f"unreadable Date {value[:60]!r}"
    return as_utc(at)


def _addresses(values: Iterable[str]) -> list[str]:
    return [address for value in values for address in _parsed(value)]


def _parsed(value: str) -> list[str]:
    """The addresses of one field, lower-case. Most fields are plain lists ("a@x.org, B
    <b@x.org>"), read here at a tenth of the cost of the full RFC 5322 parser, which takes the
    rest (quoted names, comments, groups)."""
    if not SPECIALS.intersection(value):
        addresses = [_plain_address(part) for part in value.split(",") if part.strip()]
        if all(addresses):
            return [normalized_email(address) for address in addresses]
    return [normalized_email(address) for _, address in getaddresses([value]) if address]


def _plain_address(part: str) -> str:
    if "<" in part:
        inside = part.partition("<")[2]
        return inside.partition(">")[0] if inside.count(">") == 1 else ""
    words = part.split()
    return words[0] if len(words) == 1 else ""


def _first_address(values: list[str]) -> str:
    addresses = _addresses(values)
    return addresses[0] if addresses else ""


def _recipients(headers: Headers, cc_weight: float) -> dict[str, float]:
    """Each address once, with its highest weight (To over Cc). Bcc is never read."""
    weights = dict.fromkeys(_addresses(headers.all("to")), TO_WEIGHT)
    for address in _addresses(headers.all("cc")):
        weights.setdefault(address, cc_weight)
    return weights


def _derived_id(sender: str, at: datetime, recipients: dict[str, float]) -> str:
    """A message without Message-ID: an id from what every copy of it has in common."""
    basis = "\x1f".join([sender, at.isoformat(), *sorted(recipients)])
    return "derived:" + hashlib.sha256(basis.encode()).hexdigest()[:32]


def _recipient_item(message: _Message, address: str, weight: float, rules: MailRules) -> IntakeItem:
    if "@" not in address:
        return Rejected(f"unreadable recipient address {address[:80]!r}", message.place)
    if rules.is_list(address):
        return Skipped("distribution list", message.place)
    if rules.is_external(address):
        return Skipped("external recipient", message.place)
    return _edge(message, address, weight, f"{message.message_id} to {address}")


def _edge(message: _Message, address: str, weight: float, event_id: str) -> InteractionRecord:
    return InteractionRecord(
        event_id=event_id,
        source=email_person(message.sender),
        target=email_person(address),
        at=message.at,
        channel=Channel.EMAIL.value,
        place=message.place,
        weight=weight,
    )
