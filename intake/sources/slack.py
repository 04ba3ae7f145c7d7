"""A Slack workspace export (a .zip or its unzipped folder): who talked to whom, never what.

`users.json` names the people (an IdentityHint each, so the pipeline resolves by e-mail);
`channels.json`, `groups.json`, `dms.json` and `mpims.json` name the conversations and their
members; each conversation's folder holds one `YYYY-MM-DD.json` per day, read one at a time.
Every message yields one record per edge it makes (reply -> thread parent's author, mention ->
mentioned user, DM sender -> the other members, broadcast -> the channel's members at a fraction
of a weight, reactor -> author), or one Skipped naming why it makes none. A message's text is
read only for `<@U...>` and `<!channel>` / `<!here>` / `<!everyone>`; nothing of it is kept.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal

from intake.records import (
    IdentityHint,
    IntakeItem,
    InteractionRecord,
    PersonRef,
    Rejected,
    Skipped,
    SourceFormatError,
)
from intake.sources.memory import RecentMap
from people.models import ContextKind, IdentitySource
from recognition.models import Channel

SLACKBOT = "USLACKBOT"
DAILY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
TIMESTAMP = re.compile(r"^(\d{1,12})(?:\.(\d{1,6}))?$")
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
BROADCAST = re.compile(r"<!(?:channel|here|everyone)(?:\|[^>]*)?>")
# Thread parents remembered per conversation (ts -> author); the oldest are forgotten first.
PARENTS_KEPT = 100_000
# Subtypes that are a person's message like any other; the rest are skipped by these rules.
MESSAGE_SUBTYPES = frozenset(
    {"", "thread_broadcast", "reply_broadcast", "file_share", "me_message"}
)
BOT_SUBTYPES = frozenset({"bot_message", "slackbot_response", "bot_add", "bot_remove"})
JOIN_LEAVE = re.compile(r"^(channel|group)_(join|leave)$")
CHANNEL_SETTINGS = re.compile(r"^(channel|group)_(topic|purpose|name|archive|unarchive)$")
EDIT_OR_DELETION = frozenset({"message_changed", "message_deleted", "message_replied", "tombstone"})

ConversationKind = Literal["channel", "private", "dm", "mpim"]
Targets = dict[str, tuple[str, float]]  # user -> (edge name, weight); the first reason wins


@dataclass(frozen=True)
class SlackOptions:
    context_max_members: int = 50  # a channel with more members is not a context
    context_kind: str = ContextKind.COMMUNITY
    broadcast_max_members: int = 100  # a broadcast to a larger channel makes no edge at all
    private_contexts: bool = False  # private channels' names become contexts only on request


@dataclass(frozen=True)
class Conversation:
    id: str
    name: str
    kind: ConversationKind
    members: frozenset[str] | None  # humans only; None when the export does not say


def read_export(path: Path, options: SlackOptions | None = None) -> Iterator[IntakeItem]:
    """Every record of the export at `path` (a .zip or a folder), streamed conversation by
    conversation and day by day."""
    options = options or SlackOptions()
    if path.is_dir():
        yield from _Reader(_FolderExport(path), options).items()
        return
    if not zipfile.is_zipfile(path):
        raise SourceFormatError("neither a Slack export folder nor a .zip")
    try:
        with zipfile.ZipFile(path) as archive:
            yield from _Reader(_ZipExport(archive), options).items()
    except zipfile.BadZipFile as error:
        raise SourceFormatError(f"damaged .zip: {error}") from None


class _FolderExport:
    def __init__(self, root: Path) -> None:
        self.root = root

    def open(self, name: str) -> IO[bytes] | None:
        path = self.root / name
        return path.open("rb") if path.is_file() else None

    def daily_files(self) -> dict[str, list[str]]:
        return {
            folder.name: sorted(p.name for p in folder.iterdir() if DAILY_FILE.match(p.name))
            for folder in sorted(self.root.iterdir())
            if folder.is_dir()
        }


class _ZipExport:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.prefix = _prefix_of(archive.namelist())

    def open(self, name: str) -> IO[bytes] | None:
        try:
            return self.archive.open(self.prefix + name)
        except KeyError:
            return None

    def daily_files(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name in self.archive.namelist():
            if not name.startswith(self.prefix):
                continue
            parts = PurePosixPath(name[len(self.prefix) :]).parts
            if len(parts) == 2 and DAILY_FILE.match(parts[1]):
                found.setdefault(parts[0], []).append(parts[1])
        return {folder: sorted(days) for folder, days in sorted(found.items())}


def _prefix_of(names: list[str]) -> str:
    """The folder the export sits in inside the .zip ("" at its root, as Slack writes it)."""
    candidates = [n for n in names if PurePosixPath(n).name == "users.json"]
    if not candidates:
        return ""
    shortest = min(candidates, key=len)
    return shortest[: -len("users.json")]


class _Reader:
    def __init__(self, export: _FolderExport | _ZipExport, options: SlackOptions) -> None:
        self.export = export
        self.options = options
        self.bots: set[str] = {SLACKBOT}

    def items(self) -> Iterator[IntakeItem]:
        users = self._required("users.json")
        yield from self._hints(users)
        conversations = self._conversations()
        for folder, days in self.export.daily_files().items():
            conversation = conversations.get(folder)
            if conversation is None:
                reason = "no conversation of this name in channels, groups, dms or mpims.json"
                yield Rejected(reason, folder)
                continue
            yield from _ConversationReader(self, folder, conversation).items(days)

    def _required(self, name: str) -> list[dict[str, Any]]:
        listed = self._listing(name)
        if listed is None:
            raise SourceFormatError(f"not a Slack export: no {name}")
        return listed

    def _listing(self, name: str) -> list[dict[str, Any]] | None:
        stream = self.export.open(name)
        if stream is None:
            return None
        with stream:
            try:
                loaded = json.load(stream)
            except ValueError as error:
                raise SourceFormatError(f"{name} is not JSON: {error}") from None
        if not isinstance(loaded, list):
            raise SourceFormatError(f"{name} is not a list")
        return [entry for entry in loaded if isinstance(entry, dict) and entry.get("id")]

    def _hints(self, users: list[dict[str, Any]]) -> Iterator[IntakeItem]:
        for user in users:
            if user.get("is_bot") or user["id"] == SLACKBOT:
                self.bots.add(user["id"])
                continue
            profile = user.get("profile")
            profile = profile if isinstance(profile, dict) else {}
            name = user.get("real_name") or profile.get("real_name") or user.get("name") or ""
            email = profile.get("email") or ""
            yield IdentityHint(_person(user["id"], str(email), str(name)))

    def _conversations(self) -> dict[str, Conversation]:
        self._required("channels.json")
        by_folder: dict[str, Conversation] = {}
        sources: list[tuple[str, ConversationKind]] = [
            ("channels.json", "channel"),
            ("groups.json", "private"),
            ("dms.json", "dm"),
            ("mpims.json", "mpim"),
        ]
        for name, kind in sources:
            for entry in self._listing(name) or []:
                conversation = self._conversation(entry, kind)
                # Slack names channel folders by name and DM folders by id.
                by_folder[conversation.name or conversation.id] = conversation
                by_folder.setdefault(conversation.id, conversation)
        return by_folder

    def _conversation(self, entry: dict[str, Any], kind: ConversationKind) -> Conversation:
        listed = entry.get("members")
        members = None
        if isinstance(listed, list):
            members = frozenset(str(m) for m in listed if m not in self.bots)
        name = "" if kind == "dm" else str(entry.get("name") or "")
        return Conversation(id=str(entry["id"]), name=name, kind=kind, members=members)

    def context_of(self, conversation: Conversation) -> str:
        if conversation.kind not in ("channel", "private") or conversation.members is None:
            return ""
        if conversation.kind == "private" and not self.options.private_contexts:
            return ""
        if len(conversation.members) > self.options.context_max_members:
            return ""
        return f"{self.options.context_kind}:{conversation.name}"


class _ConversationReader:
    def __init__(self, reader: _Reader, folder: str, conversation: Conversation) -> None:
        self.bots = reader.bots
        self.options = reader.options
        self.export = reader.export
        self.folder = folder
        self.conversation = conversation
        self.context = reader.context_of(conversation)
        self.authors: RecentMap[str, tuple[str, str]] = RecentMap(PARENTS_KEPT)

    def items(self, days: Iterable[str]) -> Iterator[IntakeItem]:
        for day in days:
            place = f"{self.folder}/{day}"
            messages = self._messages(place)
            if isinstance(messages, Rejected):
                yield messages
                continue
            for index, message in enumerate(messages, start=1):
                yield from self._message(message, f"{place} message {index}")

    def _messages(self, place: str) -> list[Any] | Rejected:
        stream = self.export.open(place)
        if stream is None:
            return Rejected("cannot be opened", place)
        with stream:
            try:
                loaded = json.load(stream)
            except ValueError as error:
                return Rejected(f"not JSON: {error}", place)
        if not isinstance(loaded, list):
            return Rejected("not a list of messages", place)
        return loaded

    def _message(self, message: Any, place: str) -> Iterator[IntakeItem]:
        if not isinstance(message, dict):
            yield Rejected("not a message object", place)
            return
        ts = message.get("ts")
        at = _time_of(ts)
        if at is None or not isinstance(ts, str):
            yield Rejected(f"ts {ts!r} is not a Slack timestamp", place)
            return
        subtype = str(message.get("subtype") or "")
        seen = self.authors.get(ts)
        if seen is not None:
            broadcast = "thread_broadcast" in (subtype, seen[1])
            yield Skipped("thread_broadcast duplicate" if broadcast else "duplicate message", place)
            return
        author = str(message.get("user") or message.get("bot_id") or "")
        self.authors.put(ts, (author, subtype))
        rule = self._skip_rule(message, author, subtype)
        if rule:
            yield Skipped(rule, place)
            return
        edges = list(self._edges(message, author, ts, at, place))
        yield from edges or [Skipped("no one addressed", place)]

    def _skip_rule(self, message: dict[str, Any], author: str, subtype: str) -> str:
        if message.get("bot_id") or subtype in BOT_SUBTYPES or author in self.bots:
            return "bot"
        if JOIN_LEAVE.match(subtype):
            return "join or leave"
        if CHANNEL_SETTINGS.match(subtype):
            return "channel settings"
        if subtype in EDIT_OR_DELETION:
            return "edit or deletion"
        if subtype not in MESSAGE_SUBTYPES:
            return "other subtype"
        if not author:
            return "no author"
        return ""

    def _edges(
        self, message: dict[str, Any], author: str, ts: str, at: datetime, place: str
    ) -> Iterator[IntakeItem]:
        targets: Targets = {}
        skips: list[str] = []
        text = message.get("text")
        text = text if isinstance(text, str) else ""
        if self.conversation.kind in ("dm", "mpim"):
            for member in sorted(self.conversation.members or ()):
                targets.setdefault(member, (f"dm:{member}", 1.0))
        self._reply(message, ts, targets, skips)
        for mentioned in MENTION.findall(text):
            targets.setdefault(mentioned, (f"mention:{mentioned}", 1.0))
        if BROADCAST.search(text):
            self._broadcast(author, targets, skips)
        for target, (edge, weight) in targets.items():
            if target == author:
                continue  # a DM's own sender, or a mention of oneself: not an edge
            if target in self.bots:
                skips.append("to a bot")
                continue
            yield self._edge(f"{ts}:{edge}", author, target, at, place, weight)
        yield from self._reactions(message, author, ts, at, place)
        yield from (Skipped(rule, place) for rule in skips)

    def _reply(self, message: dict[str, Any], ts: str, targets: Targets, skips: list[str]) -> None:
        thread_ts = message.get("thread_ts")
        if not isinstance(thread_ts, str) or not thread_ts or thread_ts == ts:
            return
        parent = self.authors.get(thread_ts)
        parent_author = parent[0] if parent else ""
        if not parent_author or parent_author in self.bots:
            # a parent forgotten, outside the export, or deleted (a tombstone by USLACKBOT)
            parent_author = str(message.get("parent_user_id") or parent_author)
        if parent_author:
            targets.setdefault(parent_author, ("reply", 1.0))
        else:
            skips.append("reply to a message not in the export")

    def _broadcast(self, author: str, targets: Targets, skips: list[str]) -> None:
        members = self.conversation.members
        if self.conversation.kind != "channel" and self.conversation.kind != "private":
            return  # in a DM everyone is already addressed
        if members is None:
            skips.append("broadcast to unknown members")
            return
        others = sorted(members - {author})
        if len(members) > self.options.broadcast_max_members:
            skips.append("broadcast to a large channel")
            return
        for member in others:
            targets.setdefault(member, (f"broadcast:{member}", 1 / len(others)))

    def _reactions(
        self, message: dict[str, Any], author: str, ts: str, at: datetime, place: str
    ) -> Iterator[IntakeItem]:
        reactions = message.get("reactions")
        for reaction in reactions if isinstance(reactions, list) else ():
            reactors = reaction.get("users") if isinstance(reaction, dict) else None
            if not isinstance(reactors, list):
                continue
            name = str(reaction.get("name") or "")
            for reactor in reactors:
                if reactor == author:
                    yield Skipped("to oneself", place)
                elif reactor in self.bots:
                    yield Skipped("bot", place)
                else:
                    edge = f"{ts}:reaction:{name}:{reactor}"
                    yield self._edge(edge, str(reactor), author, at, place, 1.0)

    def _edge(
        self, edge: str, source: str, target: str, at: datetime, place: str, weight: float
    ) -> InteractionRecord:
        return InteractionRecord(
            event_id=f"{self.conversation.id}:{edge}",
            source=_person(source),
            target=_person(target),
            at=at,
            channel=Channel.CHAT,
            place=place,
            weight=weight,
            context=self.context,
        )


def _person(identifier: str, email: str = "", name: str = "") -> PersonRef:
    return PersonRef(IdentitySource.SLACK, identifier, email=email, name=name)


def _time_of(ts: object) -> datetime | None:
    """Slack's ts, "1700000000.123456" (epoch seconds, microseconds), exactly, in UTC."""
    match = TIMESTAMP.match(ts) if isinstance(ts, str) else None
    if match is None:
        return None
    seconds, fraction = match.groups()
    micro = int((fraction or "0").ljust(6, "0"))
    return datetime.fromtimestamp(int(seconds), UTC) + timedelta(microseconds=micro)
