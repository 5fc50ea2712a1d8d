"""Access tokens shared by every web and worker process: in Redis when configured, else in the
database (one row per token key, a lease column for the single refresher)."""

from __future__ import annotations

import asyncio
import functools
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction

from shequn.channels.models import StoredToken
from shequn.tenancy.scope import tenant_scope
from shequn.wechat.tokens import AccessToken, RedisTokenStore, SQLiteTokenStore, TokenStore

if TYPE_CHECKING:
    from shequn.tenancy.models import Workspace


class DatabaseTokenStore:
    """A `TokenStore` over the StoredToken table of one workspace.

    The wechat clients call it from their own event loop thread, so each operation runs in a
    worker thread with its own database connection and enters the tenant scope explicitly.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    async def get(self, key: str) -> AccessToken | None:
        return await asyncio.to_thread(self._get, key)

    async def set(self, key: str, token: AccessToken) -> None:
        await asyncio.to_thread(self._set, key, token)

    async def acquire_lease(self, key: str, ttl: float) -> str | None:
        return await asyncio.to_thread(self._acquire, key, ttl)

    async def release_lease(self, key: str, lease_id: str) -> None:
        await asyncio.to_thread(self._release, key, lease_id)

    def _rows(self, key: str):  # type: ignore[no-untyped-def]
        return StoredToken.objects.for_tenant(self.workspace).filter(key=key)

    def _ensure(self, key: str) -> None:
        if self._rows(key).exists():
            return
        try:
            with tenant_scope(self.workspace), transaction.atomic():
                StoredToken.objects.create(key=key)
        except IntegrityError:
            pass  # another process created it first

    def _get(self, key: str) -> AccessToken | None:
        close_old_connections()
        row = self._rows(key).first()
        if row is None or not row.value:
            return None
        return AccessToken(row.value.reveal(), row.expires_at)

    def _set(self, key: str, token: AccessToken) -> None:
        close_old_connections()
        self._ensure(key)
        row = self._rows(key).get()
        row.value = token.value
        row.expires_at = token.expires_at
        with tenant_scope(self.workspace):
            row.save(update_fields=["value", "expires_at"])

    def _acquire(self, key: str, ttl: float) -> str | None:
        close_old_connections()
        self._ensure(key)
        lease_id = secrets.token_hex(16)
        now = time.time()
        taken = (
            self._rows(key)
            .filter(lease_until__lt=now)
            .update(lease_id=lease_id, lease_until=now + ttl)
        )
        return lease_id if taken else None

    def _release(self, key: str, lease_id: str) -> None:
        close_old_connections()
        self._rows(key).filter(lease_id=lease_id).update(lease_id="", lease_until=0)


@functools.cache
def _sqlite_side_store() -> SQLiteTokenStore:
    path = Path(settings.DATA_DIR) / "tokens.sqlite3"
    path.touch(mode=0o600, exist_ok=True)
    return SQLiteTokenStore(path)


def token_store_for(workspace: Workspace) -> TokenStore:
    """Redis when configured; PostgreSQL's StoredToken table; on SQLite, a file of its own.

    SQLite has one writer: a task or view that holds a write transaction on the main database
    while its WeChat client refreshes a token from another thread would wait on itself. Tokens
    live two hours and sit beside the generated keys in the data directory (mode 0600).
    """
    if settings.REDIS_URL:
        from redis.asyncio import Redis

        return RedisTokenStore(Redis.from_url(settings.REDIS_URL))
    if connection.vendor == "sqlite":
        return _sqlite_side_store()
    return DatabaseTokenStore(workspace)
