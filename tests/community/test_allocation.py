"""The routing core: groups fill one after the other, never past the cap, roll over into a new
group when all are full, and the join way lists only groups with room."""

from __future__ import annotations

import itertools
import random

from shequn.community.allocation import (
    PoolAllocator,
    PoolRouter,
    PoolRule,
    naive_admit,
    way_targets,
)


def test_fills_the_oldest_group_with_room_first_and_never_past_the_cap() -> None:
    alloc = PoolAllocator(3, [("a", 2), ("b", 0)])
    placed = [alloc.admit() for _ in range(4)]
    assert placed == ["a", "b", "b", "b"]
    assert alloc.admit() is None  # everything full and no way to create a group
    assert alloc.sizes() == {"a": 3, "b": 3}


def test_rolls_over_into_new_groups_like_a_join_way_with_auto_create() -> None:
    names = (f"room{n}" for n in itertools.count(1))
    alloc = PoolAllocator(500, [("seed", 499)])
    placed = [alloc.admit(lambda: next(names)) for _ in range(1002)]
    assert placed[0] == "seed"
    assert placed.count("room1") == 500
    assert placed.count("room2") == 500
    assert placed[-1] == "room3"
    assert max(alloc.sizes().values()) <= 500


def test_a_member_leaving_a_full_group_reopens_it_in_filling_order() -> None:
    alloc = PoolAllocator(2, [("a", 2), ("b", 2), ("c", 1)])
    assert alloc.pick() == "c"
    alloc.set_size("a", 1)
    assert alloc.pick() == "a"
    alloc.remove_group("a")
    assert alloc.pick() == "c"


def test_way_targets_lists_groups_with_room_or_the_newest_when_all_are_full() -> None:
    alloc = PoolAllocator(10, [(f"g{i}", 10 if i % 2 else 3) for i in range(14)])
    targets, full = way_targets(alloc)
    assert (targets, full) == (["g0", "g2", "g4", "g6", "g8"], False)
    everything_full = PoolAllocator(10, [(f"g{i}", 10) for i in range(7)])
    assert way_targets(everything_full) == (["g2", "g3", "g4", "g5", "g6"], True)


def test_matches_the_naive_scan_on_random_joins_and_quits() -> None:
    rng = random.Random(7)
    counter = itertools.count()
    alloc = PoolAllocator(5)
    reference: list[list[object]] = []
    for _ in range(2000):
        if rng.random() < 0.2 and reference:
            entry = rng.choice(reference)
            if int(entry[1]) > 0:  # type: ignore[call-overload]
                entry[1] = int(entry[1]) - 1  # type: ignore[call-overload]
                alloc.set_size(str(entry[0]), int(entry[1]))  # type: ignore[call-overload]
            continue
        key = f"k{next(counter)}"
        expected = naive_admit(reference, 5, lambda key=key: key)  # type: ignore[misc]
        got = alloc.admit(lambda key=key: key)  # type: ignore[misc]
        assert got == expected
    assert all(size <= 5 for size in alloc.sizes().values())


def test_router_takes_the_first_pool_by_priority_whose_band_holds_the_value() -> None:
    router = PoolRouter(
        [
            PoolRule("newborn", 10, 0, 3),
            PoolRule("infant", 20, 4, 6),
            PoolRule("everyone", 99),
            PoolRule("vip", 5, 2, 2),
        ]
    )
    assert [router.route(v) for v in (0, 2, 5, 30)] == ["newborn", "vip", "infant", "everyone"]
    assert router.route(None) == "everyone"
