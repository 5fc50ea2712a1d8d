"""The official-account client: one object per account, one attribute per API area."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import httpx

from shequn.wechat.endpoints import MP_WEB, OPEN_WEB, Platform
from shequn.wechat.http import APICore, RetryPolicy, SyncClient, TokenSource
from shequn.wechat.officialaccount.custom import CustomMessagesAPI
from shequn.wechat.officialaccount.datacube import DatacubeAPI
from shequn.wechat.officialaccount.drafts import DraftsAPI, PublishingAPI
from shequn.wechat.officialaccount.mass import MassAPI
from shequn.wechat.officialaccount.media import MaterialsAPI, MediaAPI
from shequn.wechat.officialaccount.menus import MenusAPI
from shequn.wechat.officialaccount.oauth import OAuthAPI
from shequn.wechat.officialaccount.qrcodes import QRCodesAPI
from shequn.wechat.officialaccount.quota import QuotaAPI
from shequn.wechat.officialaccount.tags import TagsAPI
from shequn.wechat.officialaccount.templates import TemplatesAPI
from shequn.wechat.officialaccount.token_api import TokenAPI
from shequn.wechat.officialaccount.users import UsersAPI
from shequn.wechat.tokens import StableTokenFetcher, TokenProvider, TokenStore


class OfficialAccountClient:
    """Async client for one official account.

    Without `token_provider`, a provider over the stable-token endpoint is built with
    `token_store` (default: this process's memory; pass a Redis/SQLite store when several
    processes serve the account).
    """

    def __init__(
        self,
        appid: str,
        secret: str,
        *,
        base_url: str | None = None,
        web_base_url: str = MP_WEB,
        oauth_base_url: str = OPEN_WEB,
        token_provider: TokenSource | None = None,
        token_store: TokenStore | None = None,
        timeout: float | httpx.Timeout = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.appid = appid
        self.core = APICore(
            Platform.OFFICIAL_ACCOUNT,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            transport=transport,
        )
        if token_provider is None:
            token_provider = TokenProvider(
                f"oa:{appid}", StableTokenFetcher(self.core, appid, secret), token_store
            )
        self.core.token_source = token_provider
        self.token_provider = token_provider
        core = self.core
        self.tokens = TokenAPI(core, appid, secret)
        self.menus = MenusAPI(core)
        self.tags = TagsAPI(core)
        self.users = UsersAPI(core)
        self.qrcodes = QRCodesAPI(core, web_base_url)
        self.media = MediaAPI(core)
        self.materials = MaterialsAPI(core)
        self.drafts = DraftsAPI(core)
        self.publishing = PublishingAPI(core)
        self.mass = MassAPI(core)
        self.templates = TemplatesAPI(core)
        self.custom = CustomMessagesAPI(core)
        self.oauth = OAuthAPI(core, appid, secret, oauth_base_url)
        self.datacube = DatacubeAPI(core)
        self.quota = QuotaAPI(core, appid)

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


class SyncOfficialAccountClient(SyncClient):
    """Blocking twin for synchronous (Django) code; runs the async client on a private loop.

    `client.users.info("o...")` blocks and returns the result; `client.call(fn, ...)` is the
    statically typed form; `client.aio` is the wrapped async client.
    """

    aio: OfficialAccountClient

    def __init__(self, appid: str, secret: str, **options: object) -> None:
        super().__init__(OfficialAccountClient(appid, secret, **options))  # type: ignore[arg-type]
