"""The SQL path and the in-memory engine give identical members, on random data in two tenants."""

from __future__ import annotations

import random

import pytest

from shequn.segments import index_build, queries, rules, sql
from tests.conftest import World
from tests.segments.population import build, random_tree


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_and_engine_agree_on_random_segments(world: World, seed: int) -> None:
    rng = random.Random(seed)
    with world.a.scope():
        build(rng, "a")
    with world.b.scope():
        pop_b = build(rng, "b")
        index = index_build.build_index()
        universe = len(index.universe)
        non_trivial = 0
        for _ in range(40):
            tree = rules.validate(random_tree(rng, pop_b))
            node = queries.compile_for_now(tree)
            expected = sorted(sql.members(node).values_list("pk", flat=True))
            assert index.member_ids(node).tolist() == expected, tree
            non_trivial += 0 < len(expected) < universe
        assert non_trivial >= 10  # the comparison was not between empty or full sets
    with world.a.scope():
        a_ids = set(sql.members(queries.compile_for_now({"all": []})).values_list("pk", flat=True))
    # B's index holds only B's contacts.
    assert a_ids
    assert not (a_ids & set(index.universe))
