"""The access token value object and the storage protocol the provider coordinates through."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AccessToken:
    """An access token and the Unix time at which the platform stops accepting it."""

    value: str
    expires_at: float

    def usable_at(self, now: float) -> bool:
        return self.expires_at > now

    def fresh_at(self, now: float, margin: float) -> bool:
        """Usable for at least `margin` more seconds."""
        return self.expires_at - margin > now


# Called with `force=True` only when the stored token was rejected by the platform.
TokenFetcher = Callable[[bool], Awaitable[AccessToken]]


class TokenStore(Protocol):
    """Shared state of every process and machine that uses one account's token.

    A lease is a lock with a time-to-live: whoever holds it is the only one fetching a new
    token; if it dies, the lease expires and someone else takes over.
    """

    async def get(self, key: str) -> AccessToken | None:
        """The stored token for `key`, or None (expired tokens may be returned)."""
        ...

    async def set(self, key: str, token: AccessToken) -> None:
        """Store `token` for `key`, replacing any previous one."""
        ...

    async def acquire_lease(self, key: str, ttl: float) -> str | None:
        """Take the refresh lease for `key` for `ttl` seconds; its id, or None if held."""
        ...

    async def release_lease(self, key: str, lease_id: str) -> None:
        """Give the lease back, only if `lease_id` still holds it."""
        ...
