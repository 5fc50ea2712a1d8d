"""The routing core: which group of a pool the next joiner goes to, and which pool a joiner
belongs in. Pure Python (no Django) so the services and `bench/routing.py` share it.

Groups of a pool are filled one after the other in their filling order (the oldest group with
room first), so a group reaches its cap before the next one is opened: lively groups, and the
join way only ever lists groups that still have room. A pick is O(log n) in the number of groups
(a heap of open groups with lazy removal of the ones that filled up); admitting a joiner is O(1)
on top of that.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

MAX_WAY_GROUPS = 5


class PoolAllocator:
    """The groups of one pool with their sizes, against one cap per group."""

    def __init__(self, capacity: int, groups: Iterable[tuple[str, int]] = ()) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._size: dict[str, int] = {}
        self._order: dict[str, int] = {}
        self._open: list[tuple[int, str]] = []
        self._queued: set[str] = set()
        self._seq = 0
        for key, size in groups:
            self.add_group(key, size)

    def __len__(self) -> int:
        return len(self._size)

    def __contains__(self, key: object) -> bool:
        return key in self._size

    def size(self, key: str) -> int:
        return self._size[key]

    def sizes(self) -> dict[str, int]:
        return dict(self._size)

    def has_room(self, key: str) -> bool:
        return self._size[key] < self.capacity

    def _queue(self, key: str) -> None:
        if key not in self._queued and self.has_room(key):
            heapq.heappush(self._open, (self._order[key], key))
            self._queued.add(key)

    def add_group(self, key: str, size: int = 0) -> None:
        """A group joins the pool (at the end of the filling order); re-adding sets its size."""
        if key not in self._order:
            self._order[key] = self._seq
            self._seq += 1
        self._size[key] = max(0, size)
        self._queue(key)

    def remove_group(self, key: str) -> None:
        """The group leaves the pool (dismissed); its heap entry is dropped lazily."""
        self._size.pop(key, None)
        self._order.pop(key, None)
        self._queued.discard(key)

    def set_size(self, key: str, size: int) -> None:
        """What WeCom reports now (joins and quits happened outside the allocator)."""
        self._size[key] = max(0, size)
        self._queue(key)

    def pick(self) -> str | None:
        """The group the next joiner goes to, or None when every group is at the cap."""
        heap = self._open
        while heap:
            order, key = heap[0]
            if self._order.get(key) == order and self._size[key] < self.capacity:
                return key
            heapq.heappop(heap)
            self._queued.discard(key)
        return None

    def admit(self, new_group: Callable[[], str] | None = None) -> str | None:
        """Place one joiner: the picked group, or a new group from `new_group` when all are
        full (what a join way with auto_create_room does). None when full and no new group."""
        key = self.pick()
        if key is None:
            if new_group is None:
                return None
            key = new_group()
            self.add_group(key, 0)
        self._size[key] += 1
        return key

    def open_groups(self, limit: int = MAX_WAY_GROUPS) -> list[str]:
        """The first `limit` groups with room, in filling order."""
        if self.pick() is None:
            return []
        valid = [
            (order, key)
            for order, key in self._open
            if self._order.get(key) == order and self._size[key] < self.capacity
        ]
        return [key for _, key in heapq.nsmallest(limit, valid)]

    def oldest(self) -> str | None:
        """The first group of the filling order."""
        return next(iter(self._order), None)

    def newest(self, limit: int = MAX_WAY_GROUPS) -> list[str]:
        return [k for k, _ in sorted(self._order.items(), key=lambda kv: kv[1])[-limit:]]


def way_targets(allocator: PoolAllocator, limit: int = MAX_WAY_GROUPS) -> tuple[list[str], bool]:
    """The chat ids a pool's join way should list, and whether they are all full.

    With room somewhere: the groups with room, in filling order. All full: the newest groups,
    so WeCom's auto_create_room makes the next one on the next join (`True`)."""
    open_ = allocator.open_groups(limit)
    if open_:
        return open_, False
    return allocator.newest(limit), True


# -- which pool ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolRule:
    """A pool as the router sees it: the lower the priority the earlier it is tried; `low` and
    `high` bound an integer attribute (e.g. the baby's age in months), None = unbounded."""

    key: str
    priority: int
    low: int | None = None
    high: int | None = None
    predicate: Callable[[dict[str, object]], bool] | None = None

    def matches(self, value: int | None, attrs: dict[str, object]) -> bool:
        if self.low is not None or self.high is not None:
            if value is None:
                return False
            if self.low is not None and value < self.low:
                return False
            if self.high is not None and value > self.high:
                return False
        return self.predicate(attrs) if self.predicate is not None else True


@dataclass
class PoolRouter:
    """First pool by priority whose rule matches. Pools bounded only by the integer attribute are
    answered from a table built once (O(1) per decision); others fall back to the ordered scan."""

    rules: Sequence[PoolRule]
    span: int = 1200
    _table: list[str | None] = field(default_factory=list, init=False)
    _ordered: list[PoolRule] = field(default_factory=list, init=False)
    _simple: bool = field(default=True, init=False)

    def __post_init__(self) -> None:
        self._ordered = sorted(self.rules, key=lambda r: (r.priority, r.key))
        self._simple = all(r.predicate is None for r in self._ordered)
        if self._simple:
            self._table = [self._scan(v, {}) for v in range(self.span + 1)]

    def _scan(self, value: int | None, attrs: dict[str, object]) -> str | None:
        for rule in self._ordered:
            if rule.matches(value, attrs):
                return rule.key
        return None

    def route(self, value: int | None, attrs: dict[str, object] | None = None) -> str | None:
        if self._simple and value is not None and 0 <= value <= self.span:
            return self._table[value]
        return self._scan(value, attrs or {})


def naive_admit(groups: list[list[object]], capacity: int, new_key: Callable[[], str]) -> str:
    """The reference: scan every group of the pool for the first with room (O(n) per joiner).
    `groups` is a list of [key, size]; a new group is appended when all are full."""
    for entry in groups:
        size = int(entry[1])  # type: ignore[call-overload]
        if size < capacity:
            entry[1] = size + 1
            return str(entry[0])
    key = new_key()
    groups.append([key, 1])
    return key


__all__ = [
    "MAX_WAY_GROUPS",
    "PoolAllocator",
    "PoolRouter",
    "PoolRule",
    "naive_admit",
    "way_targets",
]
