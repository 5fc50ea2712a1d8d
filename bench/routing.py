"""Routing benchmark: new joiners routed into segment pools of 500-member groups.

    python bench/routing.py [--joiners 1000000] [--pools 50] [--capacity 500] [--quit-rate 0.05]
                            [--seed 7]

1. Generates a seeded stream of joiners, each with a baby age in months (0 to pools - 1), and a
   stream of quits (a member of a random group of the joiner's pool leaves
   after --quit-rate of the joins).
2. `shequn.community.allocation`: a `PoolRouter` over one pool per month of age (priority order,
   answered from its table) and one `PoolAllocator` per pool, starting with one empty seed group;
   when every group of a pool is full, the joiner goes to a new group (what a join way with
   auto_create_room does). Times routing plus placement per joiner.
3. The reference, in the same run on the same stream: scan the pools in priority order for the
   first whose band holds the joiner, then scan that pool's groups for the first with room.
4. Checks both placed every joiner identically, that no group is over capacity, and prints one
   JSON line last.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shequn.community.allocation import PoolAllocator, PoolRouter, PoolRule, naive_admit


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def workload(args: argparse.Namespace) -> tuple[list[int], list[float]]:
    rng = random.Random(args.seed)
    ages = [rng.randrange(0, args.pools) for _ in range(args.joiners)]
    draws = [rng.random() for _ in range(args.joiners)]
    return ages, draws


def run_allocation(args: argparse.Namespace, ages: list[int], draws: list[float]) -> dict[str, Any]:
    rules = [PoolRule(f"p{i}", i, i, i) for i in range(args.pools)]
    router = PoolRouter(rules, span=args.pools + 10)
    counter = itertools.count()
    pools = {r.key: PoolAllocator(args.capacity, [(f"{r.key}-seed", 0)]) for r in rules}
    placed: list[str | None] = []
    append = placed.append
    started = time.perf_counter()
    for age, draw in zip(ages, draws, strict=True):
        key = router.route(age)
        if key is None:
            append(None)
            continue
        alloc = pools[key]
        group = alloc.admit(lambda key=key: f"{key}-{next(counter)}")  # type: ignore[misc]
        append(group)
        if draw < args.quit_rate:
            # someone in the same pool leaves: the group that was filled first (oldest) loses one
            first = alloc.oldest()
            if first is not None:
                alloc.set_size(first, alloc.size(first) - 1)
    elapsed = time.perf_counter() - started
    sizes = [s for a in pools.values() for s in a.sizes().values()]
    return {"placed": placed, "elapsed": elapsed, "sizes": sizes}


def run_reference(args: argparse.Namespace, ages: list[int], draws: list[float]) -> dict[str, Any]:
    bands = [(i, i, i, f"p{i}") for i in range(args.pools)]  # priority, low, high, key
    counter = itertools.count()
    pools: dict[str, list[list[object]]] = {b[3]: [[f"{b[3]}-seed", 0]] for b in bands}
    placed: list[str | None] = []
    started = time.perf_counter()
    for age, draw in zip(ages, draws, strict=True):
        key = next((k for _, low, high, k in bands if low <= age <= high), None)
        if key is None:
            placed.append(None)
            continue
        groups = pools[key]
        placed.append(
            naive_admit(groups, args.capacity, lambda key=key: f"{key}-{next(counter)}")  # type: ignore[misc]
        )
        if draw < args.quit_rate:
            groups[0][1] = int(groups[0][1]) - 1  # type: ignore[call-overload]
    elapsed = time.perf_counter() - started
    sizes = [int(g[1]) for groups in pools.values() for g in groups]  # type: ignore[call-overload]
    return {"placed": placed, "elapsed": elapsed, "sizes": sizes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--joiners", type=int, default=1_000_000)
    parser.add_argument("--pools", type=int, default=50)
    parser.add_argument("--capacity", type=int, default=500)
    parser.add_argument("--quit-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    ages, draws = workload(args)
    log(f"{args.joiners:,} joiners, {args.pools} pools, {args.capacity} members per group")
    ours = run_allocation(args, ages, draws)
    ours_rate = args.joiners / ours["elapsed"]
    log(f"allocation: {ours['elapsed']:.2f} s, {ours_rate:,.0f} decisions/s")
    ref = run_reference(args, ages, draws)
    ref_rate = args.joiners / ref["elapsed"]
    log(f"reference (scan pools, scan groups): {ref['elapsed']:.2f} s, {ref_rate:,.0f}/s")
    routed = sum(1 for p in ours["placed"] if p is not None)
    result = {
        "joiners": args.joiners,
        "pools": args.pools,
        "capacity": args.capacity,
        "routed": routed,
        "groups": len(ours["sizes"]),
        "joins_per_s": round(ours_rate),
        "reference_joins_per_s": round(ref_rate),
        "speedup_vs_reference": round(ours_rate / ref_rate, 2),
        "over_capacity": sum(1 for s in ours["sizes"] if s > args.capacity),
        "reference_over_capacity": sum(1 for s in ref["sizes"] if s > args.capacity),
        "same_placement": ours["placed"] == ref["placed"],
        "max_group_size": max(ours["sizes"]),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
