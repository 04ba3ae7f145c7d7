"""Bounded memories of a parser: what it must remember of records already read (a message's
author, for the replies to come) and what waits for a record not read yet (a reply for its
parent), the oldest given up first, so that memory stays flat whatever the size of the input."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class RecentMap(Generic[K, V]):
    """The values of the last `size` keys put."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def get(self, key: K) -> V | None:
        return self._entries.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)


class Waiting(Generic[K, V]):
    """Items waiting for a key, at most `size` in all: beyond, the items of the key that has
    waited longest are given up."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.count = 0
        self._by_key: dict[K, list[V]] = {}

    def add(self, key: K, item: V) -> list[V]:
        """Wait for `key`; the items given up to make room."""
        self._by_key.setdefault(key, []).append(item)
        self.count += 1
        given_up: list[V] = []
        while self.count > self.size:
            given_up += self.take(next(iter(self._by_key)))
        return given_up

    def take(self, key: K) -> list[V]:
        """The items that waited for `key`, which no longer wait."""
        items = self._by_key.pop(key, [])
        self.count -= len(items)
        return items

    def take_all(self) -> list[V]:
        items = [item for waiting in self._by_key.values() for item in waiting]
        self._by_key.clear()
        self.count = 0
        return items
