"""The WeCom client: one object per (corp, app secret), one attribute per API area."""

from __future__ import annotations

import hashlib
from types import TracebackType
from typing import Self

import httpx

from shequn.wechat.endpoints import Platform
from shequn.wechat.http import APICore, RetryPolicy, SyncClient, TokenSource
from shequn.wechat.tokens import AccessToken, TokenProvider, TokenStore, WeComTokenFetcher
from shequn.wechat.wecom.contact_ways import ContactWaysAPI
from shequn.wechat.wecom.corp_tags import CorpTagsAPI
from shequn.wechat.wecom.customers import CustomersAPI
from shequn.wechat.wecom.group_chats import GroupChatsAPI, JoinWaysAPI
from shequn.wechat.wecom.group_messages import GroupMessagesAPI
from shequn.wechat.wecom.group_welcome import GroupWelcomeAPI
from shequn.wechat.wecom.staff import StaffAPI
from shequn.wechat.wecom.welcome import WelcomeAPI


class WeComClient:
    """Async client for one WeCom app (tokens are per secret, so per app)."""

    def __init__(
        self,
        corpid: str,
        secret: str,
        *,
        base_url: str | None = None,
        token_provider: TokenSource | None = None,
        token_store: TokenStore | None = None,
        timeout: float | httpx.Timeout = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.corpid = corpid
        self.core = APICore(
            Platform.WECOM, base_url=base_url, timeout=timeout, retry=retry, transport=transport
        )
        self._fetcher = WeComTokenFetcher(self.core, corpid, secret)
        if token_provider is None:
            # Tokens are per app secret; a digest keeps two apps of one corp apart in a shared
            # store without writing the secret itself there.
            app = hashlib.sha256(secret.encode()).hexdigest()[:16]
            token_provider = TokenProvider(f"wecom:{corpid}:{app}", self._fetcher, token_store)
        self.core.token_source = token_provider
        self.token_provider = token_provider
        core = self.core
        self.customers = CustomersAPI(core)
        self.contact_ways = ContactWaysAPI(core)
        self.corp_tags = CorpTagsAPI(core)
        self.welcome = WelcomeAPI(core)
        self.group_chats = GroupChatsAPI(core)
        self.join_ways = JoinWaysAPI(core)
        self.group_messages = GroupMessagesAPI(core)
        self.group_welcome = GroupWelcomeAPI(core)
        self.staff = StaffAPI(core)

    async def get_token(self) -> AccessToken:
        """Call gettoken directly (normally the provider does this).

        https://developer.work.weixin.qq.com/document/path/91039
        """
        return await self._fetcher(False)

    async def aclose(self) -> None:
        await self.core.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class SyncWeComClient(SyncClient):
    """Blocking twin of `WeComClient` for synchronous (Django) code."""

    aio: WeComClient

    def __init__(self, corpid: str, secret: str, **options: object) -> None:
        super().__init__(WeComClient(corpid, secret, **options))  # type: ignore[arg-type]
