"""Building a workspace's segment index from the database, and keeping one per process.

The index lives in the memory of the process that queries it (web or worker) and is rebuilt
there when it is older than `SEGMENT_INDEX_MAX_AGE` seconds (default 300), at the next query, or
at once with `current_index(fresh=True)`. Between rebuilds a count can lag the database by at
most that age; relative dates do not lag, they are resolved at every query.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from numpy.typing import NDArray

from shequn.contacts import queries as contact_queries
from shequn.contacts.models import (
    AttributeDefinition,
    ContactAttribute,
    ContactTag,
    Follower,
    GroupMembership,
)
from shequn.segments.engine import (
    SegmentIndex,
    bitmaps_by_key,
    day_bitmaps,
    micros,
    sorted_values,
)
from shequn.tenancy.scope import require_tenant

DEFAULT_MAX_AGE = 300.0


@dataclass
class _Cached:
    index: SegmentIndex
    built_at: float


_cache: dict[int, _Cached] = {}
_lock = threading.Lock()


def _ids(values: list[int]) -> NDArray[np.uint32]:
    return np.asarray(values, dtype=np.uint32)


def build_index() -> SegmentIndex:
    """Read the current workspace's contacts, tags, attributes, groups and follows."""
    from pyroaring import BitMap

    live = contact_queries.contacts()
    rows = list(live.values_list("pk", "last_touch_at", "first_touch_channel", "first_touch_scene"))
    index = SegmentIndex(universe=BitMap(sorted(r[0] for r in rows)))
    touched = [(r[0], micros(r[1])) for r in rows if r[1] is not None]
    index.activity = sorted_values(
        _ids([t[0] for t in touched]), np.asarray([t[1] for t in touched], dtype=np.int64)
    )
    channels = bitmaps_by_key((r[2], r[0]) for r in rows if r[2])
    index.first_channel = {str(k): v for k, v in channels.items()}
    scenes = bitmaps_by_key(((r[2], r[3]), r[0]) for r in rows if r[2] and r[3])
    index.first_scene = {(str(k[0]), str(k[1])): v for k, v in scenes.items()}  # type: ignore[index]
    tags = bitmaps_by_key(ContactTag.objects.values_list("tag_id", "contact_id"))
    index.tags = {int(k): v for k, v in tags.items()}  # type: ignore[call-overload]
    types = dict(AttributeDefinition.objects.values_list("pk", "value_type"))
    values = ContactAttribute.objects.values_list(
        "definition_id", "contact_id", "value_text", "value_number", "value_date", "value_choice"
    )
    dates: dict[int, tuple[list[int], list[int]]] = {}
    numbers: dict[int, tuple[list[int], list[float]]] = {}
    choices: dict[int, list[tuple[str, int]]] = {}
    for definition_id, contact_id, text, number, day, choice in values:
        kind = types.get(definition_id)
        if kind == "date" and day is not None:
            bucket = dates.setdefault(definition_id, ([], []))
            bucket[0].append(contact_id)
            bucket[1].append(day.toordinal())
        elif kind == "number" and number is not None:
            pair = numbers.setdefault(definition_id, ([], []))
            pair[0].append(contact_id)
            pair[1].append(float(number))
        elif kind == "choice" and choice:
            choices.setdefault(definition_id, []).append((choice, contact_id))
        elif kind == "text" and text:
            index.texts.setdefault(definition_id, {})[contact_id] = text
    index.dates = {
        k: day_bitmaps(_ids(v[0]), np.asarray(v[1], dtype=np.int64)) for k, v in dates.items()
    }
    index.numbers = {
        k: sorted_values(_ids(v[0]), np.asarray(v[1], dtype=np.float64)) for k, v in numbers.items()
    }
    index.choices = {
        k: {str(c): b for c, b in bitmaps_by_key(v).items()} for k, v in choices.items()
    }
    memberships = GroupMembership.objects.filter(
        left_at__isnull=True, contact__isnull=False
    ).values_list("group_id", "contact_id")
    groups = bitmaps_by_key(memberships)
    index.groups = {int(k): v for k, v in groups.items()}  # type: ignore[call-overload]
    index.in_any_group = BitMap.union(BitMap(), *index.groups.values())
    follows = bitmaps_by_key(
        Follower.objects.filter(subscribed=True).values_list("account_id", "contact_id")
    )
    index.follows = {int(k): v for k, v in follows.items()}  # type: ignore[call-overload]
    index.subscribed = BitMap.union(BitMap(), *index.follows.values())
    return index


def max_age() -> float:
    return float(getattr(settings, "SEGMENT_INDEX_MAX_AGE", DEFAULT_MAX_AGE))


def current_index(*, fresh: bool = False) -> SegmentIndex:
    """The current workspace's index, rebuilt if older than `max_age()` (or if `fresh`)."""
    workspace = require_tenant()
    with _lock:
        cached = _cache.get(workspace.pk)
        if fresh or cached is None or time.monotonic() - cached.built_at > max_age():
            cached = _Cached(build_index(), time.monotonic())
            _cache[workspace.pk] = cached
        return cached.index


def forget(workspace_id: int) -> None:
    with _lock:
        _cache.pop(workspace_id, None)
