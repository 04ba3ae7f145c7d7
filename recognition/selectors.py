"""Reads of the recognition app that other layers share (SQL only): follows, recognitions and
interactions, counted the way the portal and reports show them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from people.models import Person
from recognition.models import Follow, Interaction, Recognition

Pair = tuple[int, int]  # person ids, smaller first


def follows_in_force_at(end: datetime) -> QuerySet[Follow]:
    """Follows in force at the instant `end` (a window's end)."""
    return Follow.objects.filter(since__lt=end).filter(Q(until__isnull=True) | Q(until__gte=end))


def active_follows() -> QuerySet[Follow]:
    """Follows in force now."""
    now = timezone.now()
    return Follow.objects.filter(since__lte=now).filter(Q(until__isnull=True) | Q(until__gte=now))


def distinct_followers(follows: QuerySet[Follow]) -> dict[int, int]:
    """Leader id -> number of distinct followers (duplicate follow records count once)."""
    counted = follows.values("leader_id").annotate(n=Count("follower_id", distinct=True))
    return dict(counted.values_list("leader_id", "n"))


def recognitions_given_in(start: datetime, end: datetime) -> QuerySet[Recognition]:
    """Recognitions given in the window `[start, end)`."""
    return Recognition.objects.filter(at__gte=start, at__lt=end)


def recognitions_received(recognitions: QuerySet[Recognition]) -> dict[int, int]:
    counted = recognitions.values("receiver_id").annotate(n=Count("id"))
    return dict(counted.values_list("receiver_id", "n"))


def ties_to(
    leaders: Collection[int], follows: QuerySet[Follow], recognitions: QuerySet[Recognition]
) -> set[tuple[int, int]]:
    """(person, leader) for each of the follows of and recognitions to one of `leaders`."""
    ties = set(follows.filter(leader_id__in=leaders).values_list("follower_id", "leader_id"))
    thanked = recognitions.filter(receiver_id__in=leaders)
    return ties | set(thanked.values_list("giver_id", "receiver_id"))


def month_starts(now: datetime, months: int) -> list[datetime]:
    """The first instants of the last `months` calendar months, oldest first."""
    index = now.year * 12 + now.month - 1
    return [
        now.replace(
            year=i // 12, month=i % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
        )
        for i in range(index - months + 1, index + 1)
    ]


def recognition_months(person: Person, months: int) -> list[tuple[str, int, int]]:
    """(month, given, received) over the last `months` months, oldest first; months without any
    recognition are included so that a chart's time axis is regular. Recognitions exchanged
    with people who opted out of analytics are not counted."""
    starts = month_starts(timezone.localtime(), months)  # TruncMonth buckets in TIME_ZONE

    def per_month(rows: QuerySet[Recognition]) -> Counter[str]:
        counted = (
            rows.filter(at__gte=starts[0])
            .annotate(month=TruncMonth("at"))
            .values("month")
            .annotate(n=Count("id"))
            .values_list("month", "n")
        )
        return Counter({f"{month:%Y-%m}": n for month, n in counted})

    given = per_month(Recognition.objects.filter(giver=person, receiver__analytics_opt_out=False))
    received = per_month(
        Recognition.objects.filter(receiver=person, giver__analytics_opt_out=False)
    )
    labels = [f"{month:%Y-%m}" for month in starts]
    return [(label, given[label], received[label]) for label in labels]


def interactions_in(start: datetime, end: datetime) -> QuerySet[Interaction]:
    """Interactions of the window `[start, end)`."""
    return Interaction.objects.filter(at__gte=start, at__lt=end)


def pair_counts(interactions: QuerySet[Interaction]) -> Counter[Pair]:
    """Events per unordered pair of distinct people."""
    counts: Counter[Pair] = Counter()
    rows = interactions.values("source_id", "target_id").annotate(events=Count("id"))
    for row in rows:
        source, target = row["source_id"], row["target_id"]
        if source != target:
            counts[min(source, target), max(source, target)] += row["events"]
    return counts
