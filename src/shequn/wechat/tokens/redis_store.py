"""A token store in Redis, shared by every process on every machine."""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING

from shequn.wechat.tokens.model import AccessToken

if TYPE_CHECKING:
    from redis.asyncio import Redis

# Compare-and-delete: a holder whose lease already expired must not delete its successor's.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisTokenStore:
    """Token as JSON under `<prefix><key>`; lease via SET NX PX under `<prefix><key>:lease`.

    `client` is a `redis.asyncio.Redis`; it is used on the caller's event loop.
    """

    def __init__(self, client: Redis, *, prefix: str = "shequn:wechat:token:") -> None:
        self._redis = client
        self._prefix = prefix

    async def get(self, key: str) -> AccessToken | None:
        raw = await self._redis.get(self._prefix + key)
        if raw is None:
            return None
        data = json.loads(raw)
        return AccessToken(str(data["value"]), float(data["expires_at"]))

    async def set(self, key: str, token: AccessToken) -> None:
        payload = json.dumps({"value": token.value, "expires_at": token.expires_at})
        # Kept a little past expiry so a waiter can still tell "expired" from "never fetched".
        await self._redis.set(self._prefix + key, payload, exat=int(token.expires_at) + 60)

    async def acquire_lease(self, key: str, ttl: float) -> str | None:
        lease_id = secrets.token_hex(16)
        taken = await self._redis.set(
            self._prefix + key + ":lease", lease_id, nx=True, px=max(1, int(ttl * 1000))
        )
        return lease_id if taken else None

    async def release_lease(self, key: str, lease_id: str) -> None:
        await self._redis.eval(_RELEASE, 1, self._prefix + key + ":lease", lease_id)
