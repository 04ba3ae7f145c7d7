"""Version-7 uuids for bulk writes (RFC 9562, section 5.7)."""

from __future__ import annotations

import time
from uuid import UUID

from sociograph.ingest.ids import uuid7_texts


def test_they_are_canonical_version_7_rfc_9562_uuids() -> None:
    for text in uuid7_texts(500):
        parsed = UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7
        assert parsed.variant == "specified in RFC 4122"  # the RFC 9562 variant, bits 10


def test_they_start_with_the_current_unix_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    [text] = uuid7_texts(1)
    after = time.time_ns() // 1_000_000
    assert before <= UUID(text).int >> 80 <= after


def test_later_batches_sort_after_earlier_ones_and_none_repeat() -> None:
    first = uuid7_texts(1000)
    time.sleep(0.002)
    second = uuid7_texts(1000)
    assert max(first) < min(second)
    assert len(set(first + second)) == 2000
