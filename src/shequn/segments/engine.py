"""The in-memory evaluation: compressed bitmaps of contact ids, answering a plan in milliseconds.

Contact primary keys are the bitmap members (they fit in 32 bits). Tags, choice values, channels,
groups and follows are one bitmap each; dates are one bitmap per distinct day over a sorted array
of days, so a relative date ("6-8 months ago") is two binary searches and a union of the days in
between; numbers and activity times are sorted arrays searched the same way. The semantics are
those of `segments.sql` (tests compare both on random data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray
from pyroaring import BitMap

from shequn.segments import plan


@dataclass
class DayBitmaps:
    """Contacts by date value: `days` sorted proleptic ordinals, `members[i]` those on days[i]."""

    days: NDArray[np.int64]
    members: list[BitMap]

    def between(self, low: date | None, high: date | None) -> BitMap:
        lo = 0 if low is None else int(np.searchsorted(self.days, low.toordinal(), "left"))
        hi = (
            len(self.days)
            if high is None
            else int(np.searchsorted(self.days, high.toordinal(), "right"))
        )
        return BitMap.union(BitMap(), *self.members[lo:hi]) if hi > lo else BitMap()


@dataclass
class SortedValues:
    """Contact ids ordered by a numeric value (a number attribute, last activity in µs)."""

    values: NDArray[np.float64] | NDArray[np.int64]
    ids: NDArray[np.uint32]

    def select(self, op: str, value: float) -> BitMap:
        left = int(np.searchsorted(self.values, value, "left"))
        right = int(np.searchsorted(self.values, value, "right"))
        span = {
            "eq": (left, right),
            "lt": (0, left),
            "lte": (0, right),
            "gt": (right, len(self.ids)),
            "gte": (left, len(self.ids)),
        }[op]
        return BitMap(np.sort(self.ids[span[0] : span[1]]))


def day_bitmaps(ids: NDArray[np.uint32], ordinals: NDArray[np.int64]) -> DayBitmaps:
    order = np.argsort(ordinals, kind="stable")
    sorted_days, sorted_ids = ordinals[order], ids[order]
    days, starts = np.unique(sorted_days, return_index=True)
    bounds = [*starts.tolist(), len(sorted_ids)]
    members = [BitMap(np.sort(sorted_ids[bounds[i] : bounds[i + 1]])) for i in range(len(days))]
    return DayBitmaps(days.astype(np.int64), members)


def sorted_values(
    ids: NDArray[np.uint32], values: NDArray[np.float64] | NDArray[np.int64]
) -> SortedValues:
    order = np.argsort(values, kind="stable")
    return SortedValues(values[order], ids[order])


def bitmaps_by_key(pairs: Iterable[tuple[object, int]]) -> dict[object, BitMap]:
    grouped: dict[object, list[int]] = {}
    for key, contact_id in pairs:
        grouped.setdefault(key, []).append(contact_id)
    return {key: BitMap(sorted(ids)) for key, ids in grouped.items()}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


@dataclass
class SegmentIndex:
    universe: BitMap  # contacts not merged away
    tags: dict[int, BitMap] = field(default_factory=dict)
    dates: dict[int, DayBitmaps] = field(default_factory=dict)
    numbers: dict[int, SortedValues] = field(default_factory=dict)
    choices: dict[int, dict[str, BitMap]] = field(default_factory=dict)
    texts: dict[int, dict[int, str]] = field(default_factory=dict)
    activity: SortedValues | None = None  # last_touch_at in µs since the epoch
    first_channel: dict[str, BitMap] = field(default_factory=dict)
    first_scene: dict[tuple[str, str], BitMap] = field(default_factory=dict)
    groups: dict[int, BitMap] = field(default_factory=dict)
    in_any_group: BitMap = field(default_factory=BitMap)
    follows: dict[int, BitMap] = field(default_factory=dict)
    subscribed: BitMap = field(default_factory=BitMap)

    def evaluate(self, node: plan.Node) -> BitMap:
        return self._eval(node) & self.universe

    def count(self, node: plan.Node) -> int:
        return len(self.evaluate(node))

    def member_ids(self, node: plan.Node) -> NDArray[np.uint32]:
        return np.asarray(self.evaluate(node).to_array(), dtype=np.uint32)

    def _eval(self, node: plan.Node) -> BitMap:
        match node:
            case plan.All(children):
                # Intersect the positive parts first, then subtract the negated ones: no
                # "everyone minus X" bitmap is ever built for a NOT inside an ALL.
                positive = [self._eval(c) for c in children if not isinstance(c, plan.Not)]
                negative = [c.child for c in children if isinstance(c, plan.Not)]
                positive.sort(key=len)
                result = (
                    BitMap.intersection(*positive)
                    if len(positive) > 1
                    else BitMap(positive[0])
                    if positive
                    else BitMap(self.universe)
                )
                for child in negative:
                    if not result:
                        break
                    result -= self._eval(child)
                return result
            case plan.AnyOf(children):
                return BitMap.union(BitMap(), *(self._eval(c) for c in children))
            case plan.Not(child):
                return self.universe - self._eval(child)
            case plan.Nothing():
                return BitMap()
            case plan.HasTag(tag_id):
                return self.tags.get(tag_id, BitMap())
            case plan.DateBetween(definition_id, low, high):
                found = self.dates.get(definition_id)
                return found.between(low, high) if found else BitMap()
            case plan.NumberCompare(definition_id, op, value):
                numbers = self.numbers.get(definition_id)
                return numbers.select(op, float(value)) if numbers else BitMap()
            case plan.TextEquals(definition_id, value):
                texts = self.texts.get(definition_id, {})
                return BitMap(sorted(i for i, t in texts.items() if t == value))
            case plan.TextContains(definition_id, value):
                needle = value.lower()
                texts = self.texts.get(definition_id, {})
                return BitMap(sorted(i for i, t in texts.items() if needle in t.lower()))
            case plan.ChoiceIn(definition_id, values):
                by_value = self.choices.get(definition_id, {})
                return BitMap.union(BitMap(), *(by_value.get(v, BitMap()) for v in values))
            case plan.ActiveSince(since):
                if self.activity is None:
                    return BitMap()
                return self.activity.select("gte", micros(since))
            case plan.FirstTouch(channel, scene):
                if scene:
                    pool = {k[0]: v for k, v in self.first_scene.items() if k[1] == scene}
                else:
                    pool = self.first_channel
                if ":" in channel:
                    return pool.get(channel, BitMap())
                prefix = f"{channel}:"
                return BitMap.union(BitMap(), *(v for k, v in pool.items() if k.startswith(prefix)))
            case plan.InGroup(group_id):
                if group_id is None:
                    return self.in_any_group
                return self.groups.get(group_id, BitMap())
            case plan.Follows(account_id):
                if account_id is None:
                    return self.subscribed
                return self.follows.get(account_id, BitMap())
        raise TypeError(f"unknown plan node {node!r}")
