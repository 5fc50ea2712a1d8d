"""Segment benchmark: the in-memory engine against the straightforward SQL query on PostgreSQL.

    python bench/segments.py [--contacts 10000000] [--runs 7] [--sql-runs 3]
                             [--dsn postgresql://postgres@127.0.0.1:5432/postgres]

1. Generates a seeded synthetic population with numpy: 40 tags with Zipf-like popularity, a baby
   birth date for ~60 % of contacts (up to three years back), a first-touch channel, current
   membership of one of 50 customer groups for ~30 %, and ~1 % of contacts merged away.
2. Builds the segment engine's index (`shequn.segments.engine.SegmentIndex`) straight from the
   arrays and times the 4-clause segment "tagged trial-pack AND tagged new-parent AND baby 6-8
   months old AND NOT in any group": its count and its member ids (median of --runs).
3. Loads the same data into a fresh PostgreSQL database with binary COPY (contacts,
   contact_tags, contact_attributes, group_memberships), adds the obvious indexes, ANALYZEs, and
   times the straightforward SQL (COUNT(*) / SELECT id with EXISTS and NOT EXISTS), median of
   --sql-runs. The database is dropped at the end, also on failure.
4. Checks both counts agree, reports the process RSS (VmRSS), and prints one JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import struct
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from numpy.typing import NDArray
from pyroaring import BitMap

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shequn.segments import plan
from shequn.segments.dates import months_ago_bounds
from shequn.segments.engine import SegmentIndex, day_bitmaps

TAGS = 40
GROUPS = 50
CHANNELS = ("oa:main", "oa:second", "wecom:corp", "miniprogram:shop", "channels:live", "import:")
BIRTH_DEFINITION = 1
TAG_TRIAL_PACK = 3  # ~13 % of contacts
TAG_NEW_PARENT = 6  # ~9 % of contacts
PG_EPOCH = date(2000, 1, 1).toordinal()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Population:
    def __init__(self, n: int, seed: int, today: date) -> None:
        rng = np.random.default_rng(seed)
        self.n = n
        self.ids = np.arange(1, n + 1, dtype=np.uint32)
        self.merged = rng.random(n) < 0.01
        self.channel = rng.choice(len(CHANNELS), n, p=[0.45, 0.1, 0.25, 0.1, 0.05, 0.05])
        # Zipf-like popularity: the most common tag on ~45 % of contacts, the 40th on ~1.5 %.
        popularity = 0.45 / np.arange(1, TAGS + 1) ** 0.93
        self.tag_members: list[NDArray[np.uint32]] = []
        for p in popularity:
            self.tag_members.append(self.ids[rng.random(n) < p])
        has_birth = rng.random(n) < 0.6
        self.birth_ids = self.ids[has_birth]
        self.birth_days = today.toordinal() - rng.integers(0, 3 * 365, len(self.birth_ids))
        in_group = rng.random(n) < 0.3
        self.group_ids = self.ids[in_group]
        self.group_of = rng.integers(1, GROUPS + 1, len(self.group_ids))

    @property
    def tag_rows(self) -> int:
        return sum(len(m) for m in self.tag_members)


def build_index(pop: Population) -> SegmentIndex:
    universe = BitMap(range(1, pop.n + 1))
    universe -= BitMap(pop.ids[pop.merged])
    index = SegmentIndex(universe=universe)
    index.tags = {t + 1: BitMap(members) for t, members in enumerate(pop.tag_members)}
    index.dates = {BIRTH_DEFINITION: day_bitmaps(pop.birth_ids, pop.birth_days.astype(np.int64))}
    order = np.argsort(pop.group_of, kind="stable")
    ids, groups = pop.group_ids[order], pop.group_of[order]
    starts = np.searchsorted(groups, np.arange(1, GROUPS + 2))
    index.groups = {
        g: BitMap(np.sort(ids[starts[g - 1] : starts[g]])) for g in range(1, GROUPS + 1)
    }
    index.in_any_group = BitMap.union(BitMap(), *index.groups.values())
    for c, name in enumerate(CHANNELS):
        index.first_channel[name] = BitMap(pop.ids[pop.channel == c])
    return index


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    durations, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        durations.append((time.perf_counter() - start) * 1000)
    return statistics.median(durations), result


# --- PostgreSQL: binary COPY built with numpy, one structured array per chunk ----------------

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)


def _binary_rows(columns: list[tuple[str, NDArray[Any]]]) -> bytes:
    """Rows of non-null columns: (pg type code, values); codes i4, i8, date (days since 2000)."""
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for i, (code, _) in enumerate(columns):
        fields += [(f"len{i}", ">i4"), (f"v{i}", ">i8" if code == "i8" else ">i4")]
    rows = np.empty(len(columns[0][1]), dtype=np.dtype(fields))
    rows["count"] = len(columns)
    for i, (code, values) in enumerate(columns):
        rows[f"len{i}"] = 8 if code == "i8" else 4
        rows[f"v{i}"] = values - PG_EPOCH if code == "date" else values
    return rows.tobytes()


def copy_table(
    cur: psycopg.Cursor[Any], target: str, columns: list[tuple[str, NDArray[Any]]], label: str
) -> None:
    total = len(columns[0][1])
    chunk = 2_000_000
    with cur.copy(f"COPY {target} FROM STDIN WITH (FORMAT binary)") as copy:
        copy.write(HEADER)
        for start in range(0, total, chunk):
            part = [(code, values[start : start + chunk]) for code, values in columns]
            copy.write(_binary_rows(part))
            log(f"  {label}: {min(start + chunk, total):,}/{total:,}")
        copy.write(TRAILER)


def _chunks(pop: Population) -> Iterator[tuple[str, str, list[tuple[str, NDArray[Any]]]]]:
    alive = (~pop.merged).astype(np.int32)  # merged_into stands in as a flag: 0 = not merged
    yield (
        "contacts (id, first_touch_channel, merged)",
        "contacts",
        [("i8", pop.ids.astype(np.int64)), ("i4", pop.channel), ("i4", 1 - alive)],
    )
    tag_ids = np.concatenate([np.full(len(m), t + 1) for t, m in enumerate(pop.tag_members)])
    tag_contacts = np.concatenate(pop.tag_members).astype(np.int64)
    yield "contact_tags", "contact_tags", [("i8", tag_contacts), ("i4", tag_ids)]
    yield (
        "contact_attributes (contact_id, definition_id, value_date)",
        "contact_attributes",
        [
            ("i8", pop.birth_ids.astype(np.int64)),
            ("i4", np.full(len(pop.birth_ids), BIRTH_DEFINITION)),
            ("date", pop.birth_days),
        ],
    )
    yield (
        "group_memberships (contact_id, group_id)",
        "group_memberships",
        [("i8", pop.group_ids.astype(np.int64)), ("i4", pop.group_of)],
    )


SCHEMA = """
CREATE TABLE contacts (id bigint PRIMARY KEY, first_touch_channel int NOT NULL,
                       merged int NOT NULL);
CREATE TABLE contact_tags (contact_id bigint NOT NULL, tag_id int NOT NULL);
CREATE TABLE contact_attributes (contact_id bigint NOT NULL, definition_id int NOT NULL,
                                 value_date date);
CREATE TABLE group_memberships (contact_id bigint NOT NULL, group_id int NOT NULL,
                                left_at timestamptz);
"""
INDEXES = (
    "CREATE UNIQUE INDEX contact_tags_by_contact ON contact_tags (contact_id, tag_id)",
    "CREATE INDEX contact_tags_by_tag ON contact_tags (tag_id, contact_id)",
    "CREATE UNIQUE INDEX attrs_by_contact ON contact_attributes (contact_id, definition_id)",
    "CREATE INDEX attrs_by_date ON contact_attributes (definition_id, value_date, contact_id)",
    "CREATE INDEX memberships_by_contact ON group_memberships (contact_id) WHERE left_at IS NULL",
)
SEGMENT_SQL = """
FROM contacts c
WHERE c.merged = 0
  AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag_id = %(tag_a)s)
  AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag_id = %(tag_b)s)
  AND EXISTS (SELECT 1 FROM contact_attributes a WHERE a.contact_id = c.id
              AND a.definition_id = %(definition)s AND a.value_date BETWEEN %(low)s AND %(high)s)
  AND NOT EXISTS (SELECT 1 FROM group_memberships g WHERE g.contact_id = c.id
                  AND g.left_at IS NULL)
"""


def run_sql(args: argparse.Namespace, pop: Population, params: dict[str, Any]) -> dict[str, Any]:
    database = f"shequn_bench_segments_{os.getpid()}"
    with psycopg.connect(args.dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        dsn = args.dsn.rsplit("/", 1)[0] + f"/{database}"
        with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(SCHEMA)
            load_start = time.perf_counter()
            for label, table, columns in _chunks(pop):
                log(f"COPY {label}")
                copy_table(cur, label, columns, table)
            for statement in INDEXES:
                log(statement)
                cur.execute(statement)
            log("ANALYZE")
            cur.execute("ANALYZE")
            load_s = time.perf_counter() - load_start
            log(f"loaded in {load_s:.0f} s; timing the SQL")
            count_ms, count = timed(
                lambda: cur.execute("SELECT count(*) " + SEGMENT_SQL, params).fetchone()[0],  # type: ignore[index]
                args.sql_runs,
            )
            ids_ms, ids = timed(
                lambda: [r[0] for r in cur.execute("SELECT c.id " + SEGMENT_SQL, params)],
                args.sql_runs,
            )
            plan_text = "\n".join(
                r[0] for r in cur.execute("EXPLAIN SELECT count(*) " + SEGMENT_SQL, params)
            )
        return {
            "count": count,
            "ids": len(ids),
            "count_ms": count_ms,
            "ids_ms": ids_ms,
            "load_s": load_s,
            "plan": plan_text,
        }
    finally:
        with psycopg.connect(args.dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        log(f"dropped database {database}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sql-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--today", default="2026-11-21", help="'now' of the relative date")
    args = parser.parse_args()
    today = date.fromisoformat(args.today)
    started = time.perf_counter()

    log(f"generating {args.contacts:,} contacts")
    pop = Population(args.contacts, args.seed, today)
    log(
        f"  {pop.tag_rows:,} tag rows, {len(pop.birth_ids):,} birth dates, "
        f"{len(pop.group_ids):,} group members"
    )
    rss_before_index = rss_mb()
    start = time.perf_counter()
    index = build_index(pop)
    build_s = time.perf_counter() - start
    index_mb = rss_mb() - rss_before_index
    log(f"index built in {build_s:.1f} s (+{index_mb:.0f} MB RSS)")

    earliest, latest = months_ago_bounds(today, 6, 8)
    segment = plan.All(
        (
            plan.HasTag(TAG_TRIAL_PACK),
            plan.HasTag(TAG_NEW_PARENT),
            plan.DateBetween(BIRTH_DEFINITION, earliest, latest),
            plan.Not(plan.InGroup(None)),
        )
    )
    count_ms, count = timed(lambda: index.count(segment), args.runs)
    ids_ms, ids = timed(lambda: index.member_ids(segment), args.runs)
    log(f"engine: count {count:,} in {count_ms:.2f} ms, ids in {ids_ms:.2f} ms")

    params = {
        "tag_a": TAG_TRIAL_PACK,
        "tag_b": TAG_NEW_PARENT,
        "definition": BIRTH_DEFINITION,
        "low": earliest,
        "high": latest,
    }
    sql = run_sql(args, pop, params)
    log(f"sql: count {sql['count']:,} in {sql['count_ms']:.0f} ms, ids in {sql['ids_ms']:.0f} ms")
    log("plan:\n" + sql["plan"])
    result = {
        "contacts": args.contacts,
        "segment": "tag trial-pack AND tag new-parent AND baby 6-8 months AND NOT in any group",
        "members": count,
        "count_ms": round(count_ms, 3),
        "ids_ms": round(ids_ms, 3),
        "sql_count": sql["count"],
        "sql_count_ms": round(sql["count_ms"], 1),
        "sql_ids_ms": round(sql["ids_ms"], 1),
        "speedup_vs_sql": round(sql["count_ms"] / count_ms, 1),
        "ids_speedup_vs_sql": round(sql["ids_ms"] / ids_ms, 1),
        "counts_equal": count == sql["count"] and len(ids) == sql["ids"],
        "index_build_s": round(build_s, 2),
        "index_mb": round(index_mb, 1),
        "rss_mb": round(rss_mb(), 1),
        "pg_load_s": round(sql["load_s"], 1),
        "total_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
