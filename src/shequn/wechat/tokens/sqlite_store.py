"""A token store in an SQLite file, shared by every process on one machine."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import time
from collections.abc import Callable

from shequn.wechat.tokens.model import AccessToken

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wechat_access_token (
    key TEXT PRIMARY KEY, token TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS wechat_token_lease (
    key TEXT PRIMARY KEY, lease_id TEXT NOT NULL, expires_at REAL NOT NULL);
"""


class SQLiteTokenStore:
    """Tokens and leases in two tables; leases are taken under BEGIN IMMEDIATE.

    BEGIN IMMEDIATE takes the database's write lock before reading the lease row, so two
    processes can never both see "no lease" and both take it.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, clock: Callable[[], float] = time.time
    ) -> None:
        self._path = os.fspath(path)
        self._clock = clock
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # Autocommit mode, so transactions are exactly the BEGIN ... COMMIT written below.
        return sqlite3.connect(self._path, timeout=30, isolation_level=None)

    async def get(self, key: str) -> AccessToken | None:
        return await asyncio.to_thread(self._get, key)

    async def set(self, key: str, token: AccessToken) -> None:
        await asyncio.to_thread(self._set, key, token)

    async def acquire_lease(self, key: str, ttl: float) -> str | None:
        return await asyncio.to_thread(self._acquire, key, ttl)

    async def release_lease(self, key: str, lease_id: str) -> None:
        await asyncio.to_thread(self._release, key, lease_id)

    def _get(self, key: str) -> AccessToken | None:
        conn = self._connect()
        try:
            row = conn.execute(
                "SELECT token, expires_at FROM wechat_access_token WHERE key = ?", (key,)
            ).fetchone()
        finally:
            conn.close()
        return AccessToken(row[0], float(row[1])) if row else None

    def _set(self, key: str, token: AccessToken) -> None:
        conn = self._connect()
        try:
            conn.execute(
                "INSERT INTO wechat_access_token (key, token, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET token = excluded.token, "
                "expires_at = excluded.expires_at",
                (key, token.value, token.expires_at),
            )
        finally:
            conn.close()

    def _acquire(self, key: str, ttl: float) -> str | None:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                now = self._clock()
                row = conn.execute(
                    "SELECT expires_at FROM wechat_token_lease WHERE key = ?", (key,)
                ).fetchone()
                if row is not None and float(row[0]) > now:
                    conn.execute("ROLLBACK")
                    return None
                lease_id = secrets.token_hex(16)
                conn.execute(
                    "INSERT INTO wechat_token_lease (key, lease_id, expires_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET lease_id = excluded.lease_id, "
                    "expires_at = excluded.expires_at",
                    (key, lease_id, now + ttl),
                )
                conn.execute("COMMIT")
                return lease_id
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()

    def _release(self, key: str, lease_id: str) -> None:
        conn = self._connect()
        try:
            conn.execute(
                "DELETE FROM wechat_token_lease WHERE key = ? AND lease_id = ?", (key, lease_id)
            )
        finally:
            conn.close()
