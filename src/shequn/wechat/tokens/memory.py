"""A token store for a single process (tests, scripts, one-worker deployments)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from shequn.wechat.tokens.model import AccessToken


class MemoryTokenStore:
    """Keeps tokens and leases in this process's memory."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._tokens: dict[str, AccessToken] = {}
        self._leases: dict[str, tuple[str, float]] = {}

    async def get(self, key: str) -> AccessToken | None:
        return self._tokens.get(key)

    async def set(self, key: str, token: AccessToken) -> None:
        self._tokens[key] = token

    async def acquire_lease(self, key: str, ttl: float) -> str | None:
        now = self._clock()
        held = self._leases.get(key)
        if held is not None and held[1] > now:
            return None
        lease_id = secrets.token_hex(16)
        self._leases[key] = (lease_id, now + ttl)
        return lease_id

    async def release_lease(self, key: str, lease_id: str) -> None:
        held = self._leases.get(key)
        if held is not None and secrets.compare_digest(held[0], lease_id):
            del self._leases[key]
