"""Sandbox state in one SQLite file (or in memory for tests).

Everything is a JSON document addressed by (kind, scope, key): an account is ("account", "",
appid), a follower ("follower", appid, openid), a tag ("tag", appid, "134"). New endpoint modules
add kinds without schema changes. Counters back quotas; the log table keeps append-only records
(what a customer received, callback deliveries); the outbox holds callbacks still to push.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

Doc = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL, scope TEXT NOT NULL, key TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (kind, scope, key)
);
CREATE TABLE IF NOT EXISTS counters (
    scope TEXT NOT NULL, name TEXT NOT NULL, period TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (scope, name, period)
);
CREATE TABLE IF NOT EXISTS log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL, scope TEXT NOT NULL, at REAL NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_kind_scope ON log (kind, scope, id);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL, scope TEXT NOT NULL, due_at REAL NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, due_at);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

_TABLES = ("docs", "counters", "log", "outbox", "meta")


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _where(where: Mapping[str, Any] | None) -> tuple[str, list[Any]]:
    if not where:
        return "", []
    clauses = []
    params: list[Any] = []
    for field, value in where.items():
        if not field.replace("_", "").isalnum():
            raise ValueError(f"bad field name {field!r}")
        clauses.append(f"json_extract(data, '$.{field}') IS ?")
        params.append(value if not isinstance(value, bool) else int(value))
    return " AND " + " AND ".join(clauses), params


class StateStore:
    """Thread-safe wrapper around one sqlite3 connection.

    The sandbox serves from one event loop, so a single connection behind a lock is enough and
    keeps every multi-step change atomic (`with store.transaction(): ...`).
    """

    def __init__(self, path: str | None = None) -> None:
        self.path = path or ":memory:"
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        if self.path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._depth = 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    def _exec(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, params)

    def reset(self) -> None:
        with self.transaction():
            for table in _TABLES:
                self._conn.execute(f"DELETE FROM {table}")  # noqa: S608
            self._conn.execute("DELETE FROM sqlite_sequence")

    # documents -------------------------------------------------------------------------------

    def get(self, kind: str, scope: str, key: str) -> Doc | None:
        row = self._exec(
            "SELECT data FROM docs WHERE kind=? AND scope=? AND key=?", (kind, scope, key)
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def put(self, kind: str, scope: str, key: str, data: Mapping[str, Any]) -> None:
        self._exec(
            "INSERT INTO docs (kind, scope, key, data) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (kind, scope, key) DO UPDATE SET data=excluded.data",
            (kind, scope, key, _dumps(data)),
        )

    def delete(self, kind: str, scope: str, key: str) -> bool:
        cur = self._exec("DELETE FROM docs WHERE kind=? AND scope=? AND key=?", (kind, scope, key))
        return cur.rowcount > 0

    def delete_all(self, kind: str, scope: str) -> int:
        return self._exec("DELETE FROM docs WHERE kind=? AND scope=?", (kind, scope)).rowcount

    def list(
        self,
        kind: str,
        scope: str,
        *,
        where: Mapping[str, Any] | None = None,
        after_key: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
    ) -> builtins.list[Doc]:
        """Documents in insertion order; `after_key` pages like WeChat's next_openid."""
        sql = "SELECT data FROM docs WHERE kind=? AND scope=?"
        params: list[Any] = [kind, scope]
        clause, extra = _where(where)
        sql += clause
        params += extra
        if after_key:
            sql += " AND id > COALESCE((SELECT id FROM docs WHERE kind=? AND scope=? AND key=?), 0)"
            params += [kind, scope, after_key]
        sql += " ORDER BY id DESC" if newest_first else " ORDER BY id"
        sql += " LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
        return [json.loads(r[0]) for r in self._exec(sql, params).fetchall()]

    def count(self, kind: str, scope: str, *, where: Mapping[str, Any] | None = None) -> int:
        clause, extra = _where(where)
        sql = "SELECT COUNT(*) FROM docs WHERE kind=? AND scope=?" + clause  # noqa: S608 - field names are validated in _where
        return int(self._exec(sql, [kind, scope, *extra]).fetchone()[0])

    def scopes(self, kind: str) -> builtins.list[str]:
        rows = self._exec("SELECT DISTINCT scope FROM docs WHERE kind=?", (kind,)).fetchall()
        return [r[0] for r in rows]

    # counters --------------------------------------------------------------------------------

    def counter(self, scope: str, name: str, period: str) -> int:
        row = self._exec(
            "SELECT value FROM counters WHERE scope=? AND name=? AND period=?",
            (scope, name, period),
        ).fetchone()
        return 0 if row is None else int(row[0])

    def incr(self, scope: str, name: str, period: str, by: int = 1) -> int:
        with self.transaction():
            self._exec(
                "INSERT INTO counters (scope, name, period, value) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (scope, name, period) DO UPDATE SET value = value + excluded.value",
                (scope, name, period, by),
            )
            return self.counter(scope, name, period)

    def clear_counters(self, scope: str, *, name: str | None = None) -> None:
        if name is None:
            self._exec("DELETE FROM counters WHERE scope=?", (scope,))
        else:
            self._exec("DELETE FROM counters WHERE scope=? AND name=?", (scope, name))

    # append-only log -------------------------------------------------------------------------

    def append(self, kind: str, scope: str, at: float, data: Mapping[str, Any]) -> int:
        cur = self._exec(
            "INSERT INTO log (kind, scope, at, data) VALUES (?, ?, ?, ?)",
            (kind, scope, at, _dumps(data)),
        )
        return int(cur.lastrowid or 0)

    def entries(
        self,
        kind: str,
        scope: str | None = None,
        *,
        where: Mapping[str, Any] | None = None,
        since_id: int = 0,
        between: tuple[float, float] | None = None,
        limit: int | None = None,
    ) -> builtins.list[Doc]:
        """Log entries as dicts with `id` and `at` added."""
        sql = "SELECT id, at, data FROM log WHERE kind=? AND id>?"
        params: list[Any] = [kind, since_id]
        if scope is not None:
            sql += " AND scope=?"
            params.append(scope)
        if between is not None:
            sql += " AND at>=? AND at<?"
            params += [between[0], between[1]]
        clause, extra = _where(where)
        sql += clause + " ORDER BY id LIMIT ?"
        params += [*extra, -1 if limit is None else limit]
        out = []
        for row_id, at, data in self._exec(sql, params).fetchall():
            doc = json.loads(data)
            doc.setdefault("id", row_id)
            doc.setdefault("at", at)
            out.append(doc)
        return out

    # outbox ----------------------------------------------------------------------------------

    def enqueue(self, channel: str, scope: str, due_at: float, data: Mapping[str, Any]) -> int:
        cur = self._exec(
            "INSERT INTO outbox (channel, scope, due_at, status, data) "
            "VALUES (?, ?, ?, 'pending', ?)",
            (channel, scope, due_at, _dumps(data)),
        )
        return int(cur.lastrowid or 0)

    def claim_due(self, now: float, limit: int = 20) -> builtins.list[tuple[int, str, str, Doc]]:
        """Mark due items as in flight and return them (a crash leaves them 'sending')."""
        with self.transaction():
            rows = self._exec(
                "SELECT id, channel, scope, data FROM outbox WHERE status='pending' AND due_at<=? "
                "ORDER BY due_at, id LIMIT ?",
                (now, limit),
            ).fetchall()
            for row in rows:
                self._exec("UPDATE outbox SET status='sending' WHERE id=?", (row[0],))
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    def claim(self, item_id: int) -> tuple[int, str, str, Doc] | None:
        with self.transaction():
            row = self._exec(
                "SELECT id, channel, scope, data FROM outbox WHERE id=? AND status='pending'",
                (item_id,),
            ).fetchone()
            if row is None:
                return None
            self._exec("UPDATE outbox SET status='sending' WHERE id=?", (item_id,))
        return (row[0], row[1], row[2], json.loads(row[3]))

    def finish(self, item_id: int, status: str, attempts: int) -> None:
        self._exec("UPDATE outbox SET status=?, attempts=? WHERE id=?", (status, attempts, item_id))

    def outbox_items(self, *, status: str | None = None) -> builtins.list[Doc]:
        sql = "SELECT id, channel, scope, due_at, status, attempts, data FROM outbox"
        params: builtins.list[Any] = []
        if status is not None:
            sql += " WHERE status=?"
            params.append(status)
        rows = self._exec(sql + " ORDER BY id", params).fetchall()
        return [
            {
                "id": r[0],
                "channel": r[1],
                "scope": r[2],
                "due_at": r[3],
                "status": r[4],
                "attempts": r[5],
                "data": json.loads(r[6]),
            }
            for r in rows
        ]

    def recover_inflight(self) -> int:
        """After a restart, anything that was mid-delivery is sent again (WeChat retries too)."""
        return self._exec("UPDATE outbox SET status='pending' WHERE status='sending'").rowcount

    def next_due_at(self) -> float | None:
        row = self._exec("SELECT MIN(due_at) FROM outbox WHERE status='pending'").fetchone()
        return None if row is None or row[0] is None else float(row[0])

    # meta ------------------------------------------------------------------------------------

    def meta_get(self, key: str) -> Any:
        row = self._exec("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def meta_set(self, key: str, value: Any) -> None:
        self._exec(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value=excluded.value",
            (key, _dumps(value)),
        )

    def sequence(self, name: str, start: int) -> int:
        """Monotonic ids (msg_id, menuid, ...) that survive restarts."""
        with self.transaction():
            current = self.meta_get(f"seq:{name}")
            value = start if current is None else int(current) + 1
            self.meta_set(f"seq:{name}", value)
            return value
