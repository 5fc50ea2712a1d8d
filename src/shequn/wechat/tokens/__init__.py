"""Access tokens: fetchers, shared stores and the provider that coordinates them."""

from __future__ import annotations

from shequn.wechat.tokens.fetchers import (
    PlainTokenFetcher,
    StableTokenFetcher,
    WeComTokenFetcher,
    token_from_response,
)
from shequn.wechat.tokens.memory import MemoryTokenStore
from shequn.wechat.tokens.model import AccessToken, TokenFetcher, TokenStore
from shequn.wechat.tokens.provider import TokenProvider
from shequn.wechat.tokens.redis_store import RedisTokenStore
from shequn.wechat.tokens.sqlite_store import SQLiteTokenStore

__all__ = [
    "AccessToken",
    "MemoryTokenStore",
    "PlainTokenFetcher",
    "RedisTokenStore",
    "SQLiteTokenStore",
    "StableTokenFetcher",
    "TokenFetcher",
    "TokenProvider",
    "TokenStore",
    "WeComTokenFetcher",
    "token_from_response",
]
