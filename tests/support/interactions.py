"""The interactions an import stored, in terms a test can compare."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from recognition.models import Interaction


def edges_of(channel: str) -> Counter[tuple[str, str, float, datetime]]:
    """(source, target, weight to 4 decimals, at) of every stored interaction, by external id,
    counted; every one must be of `channel`."""
    rows = Interaction.objects.values_list(
        "source__external_id", "target__external_id", "weight", "at", "channel"
    )
    assert {row[4] for row in rows} <= {channel}
    return Counter(
        (source, target, round(weight, 4), when) for source, target, weight, when, _ in rows
    )
