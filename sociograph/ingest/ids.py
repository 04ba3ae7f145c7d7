"""Time-ordered identifiers for rows written in bulk.

Random (version 4) uuids scatter a batch's inserts across the whole uuid index, in SQLite and in
Neo4j alike, so every commit rewrites pages all over it. Version 7 uuids (RFC 9562, section 5.7)
start with the Unix time in milliseconds: a batch's uuids share their prefix and land together at
the end of the index. The remaining 74 bits are random, so they stay unique and unguessable.
"""

from __future__ import annotations

import os
import time

# The variant field (RFC 9562: binary 10xx) in the first hex digit of the fourth group.
_VARIANT_DIGIT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
_RANDOM_HEX_DIGITS = 20  # 80 random bits drawn, 74 used


def uuid7_texts(count: int) -> list[str]:
    """`count` version-7 uuids in canonical text form, all with the current millisecond."""
    millis = f"{time.time_ns() // 1_000_000:012x}"
    head = f"{millis[:8]}-{millis[8:]}-7"
    randomness = os.urandom(count * _RANDOM_HEX_DIGITS // 2).hex()
    texts = []
    for start in range(0, count * _RANDOM_HEX_DIGITS, _RANDOM_HEX_DIGITS):
        r = randomness[start : start + _RANDOM_HEX_DIGITS]
        texts.append(f"{head}{r[:3]}-{_VARIANT_DIGIT[r[3]]}{r[4:7]}-{r[7:19]}")
    return texts
