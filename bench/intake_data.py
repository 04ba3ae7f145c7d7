"""The intake benchmark's input files, generated: an organization, its Slack export and an mbox.

    .venv/bin/python bench/intake_data.py --out DIR --people 1000 --messages 1000000 \
        --mails 200000 [--seed 7] [--end 2026-11-26T00:00:00+00:00] [--days 90]

Writes, streaming (one day of one channel, or one mail, in memory at a time), deterministic for a
seed and an end:

- DIR/org.csv: the people (external_id,name,email,title,manager_external_id,contexts), a
  hierarchy of teams of 8 reports, every one with an e-mail address at example.org;
- DIR/slack/: a Slack export folder: users.json (those people with their e-mail addresses, some in
  upper case, and a few bots), channels.json (20 channels of realistic member counts, from the
  whole company down to 8 people) and one YYYY-MM-DD.json per channel and day over `--days` days
  before `--end`, `--messages` messages in all: plain messages, thread replies, `<@U...>`
  mentions, reactions, a few `<!here>`, bot messages and channel joins;
- DIR/mail.mbox: `--mails` messages between those people (From, To, Cc, Date, Message-ID,
  In-Reply-To, short bodies), with a few auto-replies, mailing-list messages and external
  recipients (import it with `--internal-domains example.org`).

No Django: the standard library only. Prints `GENERATED {...}` with the counts and file sizes.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

DOMAIN = "example.org"
TEAM_SIZE = 8
ORG_COLUMNS = ("external_id", "name", "email", "title", "manager_external_id", "contexts")
# fmt: off
FIRST_NAMES = (
    "Ana", "Ben", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ida", "Jon", "Kai", "Lea", "Max",
    "Nia", "Oto", "Pia", "Quin", "Rui", "Sam", "Tia", "Uma", "Vic", "Wen", "Xan", "Yao", "Zoe",
)
LAST_NAMES = (
    "Alves", "Brun", "Costa", "Dias", "Evans", "Faure", "Garcia", "Hahn", "Ito", "Jansen",
    "Klein", "Lopez", "Moreau", "Novak", "Otto", "Petit", "Quinn", "Rossi", "Silva", "Tanaka",
    "Ueda", "Vidal", "Weber", "Xu", "Young", "Zhou",
)
WORDS = (
    "deploy", "review", "lunch", "standup", "release", "ticket", "draft", "numbers", "roadmap",
    "bug", "fix", "question", "idea", "meeting", "slides", "demo", "customer", "incident",
    "metrics", "budget", "plan", "thanks", "update", "docs", "test",
)
# fmt: on
REACTIONS = ("+1", "tada", "eyes", "heart", "white_check_mark", "joy", "rocket")
BOTS = (("B0DEPLOY", "U9000001", "deploybot"), ("B0ALERTS", "U9000002", "alertbot"))
# Channels: name, share of the company in it (1.0: everyone) or a fixed member count.
CHANNELS = (
    ("general", 1.0),
    ("random", 0.6),
    ("announcements", 1.0),
    ("engineering", 0.4),
    ("product", 300),
    ("sales", 200),
    ("support", 150),
    ("incidents", 120),
    ("releases", 80),
    ("design", 60),
    ("data", 50),
    ("infra", 45),
    ("security", 40),
    ("hiring", 35),
    ("marketing", 30),
    ("onboarding", 25),
    ("books", 20),
    ("running", 15),
    ("music", 12),
    ("board-games", 8),
)
# Slack message mix (shares of all messages); the rest are top-level human messages.
JOIN_SHARE, BOT_SHARE, REPLY_SHARE = 0.02, 0.03, 0.25
MENTION_SHARE, HERE_SHARE, REACTION_SHARE, PARENT_SHARE = 0.18, 0.004, 0.2, 0.35
RECENT_PARENTS = 200
# Mail mix.
CC_SHARE, MAIL_REPLY_SHARE, EXTERNAL_SHARE = 0.3, 0.25, 0.03
AUTO_REPLY_SHARE, LIST_SHARE = 0.02, 0.02
RECENT_MAILS = 500


@dataclass(frozen=True)
class Person:
    index: int
    name: str
    email: str

    @property
    def external_id(self) -> str:
        return f"E{self.index:06d}"

    @property
    def slack_id(self) -> str:
        return f"U{self.index:07d}"

    @property
    def manager(self) -> int | None:
        return None if self.index == 0 else (self.index - 1) // TEAM_SIZE


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    members: list[int]
    weight: float


def make_people(count: int) -> list[Person]:
    people = []
    for index in range(count):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
        email = f"{first}.{last}.{index}@{DOMAIN}".lower()
        people.append(Person(index, f"{first} {last} {index}", email))
    return people


def pick(rng: random.Random, items: list[int]) -> int:
    """A skewed choice: the first items (the talkative ones) are picked more often."""
    return items[int(len(items) * rng.random() ** 2)]


def others(rng: random.Random, items: list[int], exclude: int, count: int) -> list[int]:
    chosen: list[int] = []
    for _ in range(count * 4):
        if len(chosen) == count:
            break
        candidate = items[rng.randrange(len(items))]
        if candidate != exclude and candidate not in chosen:
            chosen.append(candidate)
    return chosen


# --- The organization ----------------------------------------------------------------------------


def write_org(path: Path, people: list[Person]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ORG_COLUMNS)
        for person in people:
            manager = person.manager
            is_manager = person.index * TEAM_SIZE + 1 < len(people)
            writer.writerow(
                [
                    person.external_id,
                    person.name,
                    person.email,
                    "Manager" if is_manager else "Engineer",
                    "" if manager is None else people[manager].external_id,
                    "" if manager is None else f"team:Team {manager}",
                ]
            )


# --- Slack ---------------------------------------------------------------------------------------


def make_channels(rng: random.Random, people: int) -> list[Channel]:
    channels = []
    for number, (name, size) in enumerate(CHANNELS, start=1):
        count = round(people * size) if isinstance(size, float) else min(size, people)
        members = sorted(rng.sample(range(people), max(2, count)))
        rng.shuffle(members)  # the first ones (the talkative ones) differ per channel
        channels.append(Channel(f"C{number:07d}", name, members, count**0.5))
    return channels


def write_users(path: Path, rng: random.Random, people: list[Person]) -> None:
    with path.open("w") as handle:
        handle.write("[\n")
        for person in people:
            email = person.email.upper() if rng.random() < 0.1 else person.email
            user = {
                "id": person.slack_id,
                "team_id": "T0000001",
                "name": person.email.split("@")[0],
                "deleted": False,
                "real_name": person.name,
                "profile": {"real_name": person.name, "email": email},
                "is_bot": False,
            }
            handle.write(json.dumps(user) + ",\n")
        bots = [
            {"id": user, "name": name, "deleted": False, "is_bot": True, "profile": {}}
            for _, user, name in BOTS
        ]
        handle.write(",\n".join(json.dumps(bot) for bot in bots) + "\n]\n")


def write_channels(path: Path, channels: list[Channel], people: list[Person]) -> None:
    listed = []
    for number, channel in enumerate(channels):
        members = [people[index].slack_id for index in channel.members]
        if number % 4 == 0:
            members.append(BOTS[number % len(BOTS)][1])
        listed.append(
            {
                "id": channel.id,
                "name": channel.name,
                "created": 1_600_000_000,
                "creator": members[0],
                "is_archived": False,
                "is_general": channel.name == "general",
                "members": members,
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
            }
        )
    path.write_text(json.dumps(listed, indent=1))


def split(total: int, weights: list[float]) -> list[int]:
    """`total` shared in proportion to `weights`, exactly (largest remainders)."""
    shares = [total * weight / sum(weights) for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def text_of(rng: random.Random, mentions: list[str]) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 8)))
    return " ".join([*(f"<@{user}>" for user in mentions), words])


class ChannelWriter:
    """One channel's daily files; remembers its recent thread parents across days."""

    def __init__(self, rng: random.Random, channel: Channel, people: list[Person]) -> None:
        self.rng, self.channel, self.people = rng, channel, people
        self.parents: deque[tuple[str, str]] = deque(maxlen=RECENT_PARENTS)

    def write_day(self, folder: Path, day: datetime, count: int) -> None:
        start = int(day.timestamp())
        offsets = sorted(self.rng.randrange(8 * 3600, 20 * 3600) for _ in range(count))
        with (folder / f"{day:%Y-%m-%d}.json").open("w") as handle:
            handle.write("[\n")
            for number, offset in enumerate(offsets):
                ts = f"{start + offset}.{number:06d}"
                separator = ",\n" if number < count - 1 else "\n"
                handle.write(json.dumps(self.message(ts)) + separator)
            handle.write("]\n")

    def message(self, ts: str) -> dict[str, object]:
        roll = self.rng.random()
        if roll < JOIN_SHARE:
            user = self.user(pick(self.rng, self.channel.members))
            return {"type": "message", "subtype": "channel_join", "user": user, "ts": ts,
                    "text": f"<@{user}> has joined the channel"}  # fmt: skip
        if roll < JOIN_SHARE + BOT_SHARE:
            bot_id, _, name = BOTS[self.rng.randrange(len(BOTS))]
            return {"type": "message", "subtype": "bot_message", "bot_id": bot_id,
                    "username": name, "text": text_of(self.rng, []), "ts": ts}  # fmt: skip
        author = pick(self.rng, self.channel.members)
        if roll < JOIN_SHARE + BOT_SHARE + REPLY_SHARE and self.parents:
            message = self.reply(author, ts)
        else:
            message = self.top_level(author, ts)
        if self.rng.random() < REACTION_SHARE:
            message["reactions"] = self.reactions()
        return message

    def user(self, index: int) -> str:
        return self.people[index].slack_id

    def reply(self, author: int, ts: str) -> dict[str, object]:
        parent_ts, parent_user = self.parents[self.rng.randrange(len(self.parents))]
        return {"type": "message", "user": self.user(author), "text": text_of(self.rng, []),
                "ts": ts, "thread_ts": parent_ts, "parent_user_id": parent_user}  # fmt: skip

    def top_level(self, author: int, ts: str) -> dict[str, object]:
        mentions: list[str] = []
        if self.rng.random() < MENTION_SHARE:
            count = self.rng.randint(1, 2)
            mentions = [self.user(i) for i in others(self.rng, self.channel.members, author, count)]
        text = text_of(self.rng, mentions)
        if self.rng.random() < HERE_SHARE:
            text = f"<!here> {text}"
        message: dict[str, object] = {"type": "message", "user": self.user(author), "text": text,
                                      "ts": ts}  # fmt: skip
        if self.rng.random() < PARENT_SHARE:
            self.parents.append((ts, self.user(author)))
            message["thread_ts"] = ts
        return message

    def reactions(self) -> list[dict[str, object]]:
        names = self.rng.sample(REACTIONS, self.rng.randint(1, 2))
        found = []
        for name in names:
            users = others(self.rng, self.channel.members, -1, self.rng.randint(1, 4))
            found.append({"name": name, "users": [self.user(u) for u in users],
                          "count": len(users)})  # fmt: skip
        return found


def write_slack(
    folder: Path, rng: random.Random, people: list[Person], messages: int, days: list[datetime]
) -> None:
    folder.mkdir(parents=True)
    channels = make_channels(rng, len(people))
    write_users(folder / "users.json", rng, people)
    write_channels(folder / "channels.json", channels, people)
    per_channel = split(messages, [channel.weight for channel in channels])
    for channel, count in zip(channels, per_channel, strict=True):
        (folder / channel.name).mkdir()
        writer = ChannelWriter(rng, channel, people)
        for day, day_count in zip(days, split(count, [1.0] * len(days)), strict=True):
            if day_count:
                writer.write_day(folder / channel.name, day, day_count)


# --- Mail ----------------------------------------------------------------------------------------


class MailWriter:
    """An mbox, one message at a time; remembers its recent messages for In-Reply-To."""

    def __init__(self, rng: random.Random, people: list[Person], seed: int) -> None:
        self.rng, self.people, self.seed = rng, people, seed
        self.everyone = list(range(len(people)))
        self.recent: deque[tuple[str, int]] = deque(maxlen=RECENT_MAILS)

    def write(self, path: Path, count: int, days: list[datetime]) -> None:
        start, span = days[0].timestamp(), len(days) * 86400
        with path.open("w") as handle:
            for number in range(count):
                at = datetime.fromtimestamp(start + span * number // count, UTC)
                handle.write(self.message(number, at))

    def recipients(self, sender: int) -> list[int]:
        """Mostly the sender's neighbourhood (their team and the next ones), sometimes anyone."""
        count = self.rng.choice((1, 1, 1, 1, 1, 1, 1, 2, 2, 3))
        low = max(0, sender - 3 * TEAM_SIZE)
        nearby = list(range(low, min(len(self.people), sender + 3 * TEAM_SIZE)))
        pool = nearby if self.rng.random() < 0.6 else self.everyone
        return others(self.rng, pool, sender, count)

    def message(self, number: int, at: datetime) -> str:
        sender = pick(self.rng, self.everyone)
        to = self.recipients(sender)
        headers = [f"Message-ID: <{number}.{self.seed}@mail.{DOMAIN}>"]
        if self.recent and self.rng.random() < MAIL_REPLY_SHARE:
            parent_id, parent_author = self.recent[self.rng.randrange(len(self.recent))]
            if parent_author != sender:
                to = [parent_author, *(i for i in to if i != parent_author)][:3]
                headers.append(f"In-Reply-To: {parent_id}")
        addresses = [self.people[i].email for i in to]
        if self.rng.random() < EXTERNAL_SHARE:
            addresses.append(f"contact{number % 97}@partner.example.com")
        headers += [
            f"Date: {format_datetime(at)}",
            f"From: {self.people[sender].name} <{self.people[sender].email}>",
            f"To: {', '.join(addresses)}",
        ]
        if self.rng.random() < CC_SHARE:
            cc = others(self.rng, self.everyone, sender, self.rng.randint(1, 2))
            if cc := [self.people[i].email for i in cc if i not in to]:
                headers.append(f"Cc: {', '.join(cc)}")
        headers += self.special_headers()
        self.recent.append((headers[0].removeprefix("Message-ID: "), sender))
        envelope = f"From {self.people[sender].email} {at:%a %b %d %H:%M:%S %Y}"
        body = text_of(self.rng, [])
        return "\n".join([envelope, *headers, f"Subject: {body[:30]}", "", body, "", ""])

    def special_headers(self) -> list[str]:
        roll = self.rng.random()
        if roll < AUTO_REPLY_SHARE:
            return ["Auto-Submitted: auto-replied"]
        if roll < AUTO_REPLY_SHARE + LIST_SHARE:
            return [f"List-Id: <news.{DOMAIN}>"]
        return []


# --- Command line --------------------------------------------------------------------------------


def day_list(end: datetime, days: int) -> list[datetime]:
    first = end - timedelta(days=days)
    return [first + timedelta(days=number) for number in range(days)]


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def generate(out: Path, people_count: int, messages: int, mails: int, seed: int, end: datetime,
             days: int) -> dict[str, int]:  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    people = make_people(people_count)
    dates = day_list(end, days)
    write_org(out / "org.csv", people)
    slack_rng = random.Random(f"{seed}:slack")  # noqa: S311 - synthetic data, not secrets
    mail_rng = random.Random(f"{seed}:mail")  # noqa: S311 - synthetic data, not secrets
    write_slack(out / "slack", slack_rng, people, messages, dates)
    MailWriter(mail_rng, people, seed).write(out / "mail.mbox", mails, dates)
    return {
        "people": people_count,
        "messages": messages,
        "mails": mails,
        "slack_bytes": size_of(out / "slack"),
        "mbox_bytes": size_of(out / "mail.mbox"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--mails", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", required=True, help="ISO time; the last day ends there")
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args(argv)
    end = datetime.fromisoformat(args.end).astimezone(UTC)
    counts = generate(args.out, args.people, args.messages, args.mails, args.seed, end, args.days)
    print("GENERATED " + json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
