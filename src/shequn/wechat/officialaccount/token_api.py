"""Access-token endpoints called directly (the provider normally calls them for you)."""

from __future__ import annotations

from shequn.wechat.http import APIArea, APICore
from shequn.wechat.tokens import AccessToken, PlainTokenFetcher, StableTokenFetcher


class TokenAPI(APIArea):
    """GET /cgi-bin/token and POST /cgi-bin/stable_token."""

    def __init__(self, core: APICore, appid: str, secret: str) -> None:
        super().__init__(core)
        self._plain = PlainTokenFetcher(core, appid, secret)
        self._stable = StableTokenFetcher(core, appid, secret)

    async def token(self) -> AccessToken:
        """A new token; invalidates the previous one after ~5 minutes.

        https://developers.weixin.qq.com/doc/service/en/Basic_Information/Get_access_token.html
        """
        return await self._plain(False)

    async def stable_token(self, *, force_refresh: bool = False) -> AccessToken:
        """The stable token; `force_refresh` (≤20/day, ≥30 s apart) rotates it.

        https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken
        """
        return await self._stable(force_refresh)
