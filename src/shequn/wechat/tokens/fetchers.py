"""Fetch a new access token from the platform (the only calls made without one)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from shequn.wechat.errors import MalformedResponse
from shequn.wechat.http import APICore
from shequn.wechat.tokens.model import AccessToken


def token_from_response(data: Mapping[str, Any], path: str, now: float) -> AccessToken:
    value = data.get("access_token")
    expires_in = data.get("expires_in")
    if not isinstance(value, str) or not value or not isinstance(expires_in, int):
        raise MalformedResponse(None, "no access_token/expires_in in the answer", path=path)
    return AccessToken(value, now + expires_in)


class StableTokenFetcher:
    """POST /cgi-bin/stable_token: the same token for every caller until the platform rotates it.

    https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken
    """

    path = "/cgi-bin/stable_token"

    def __init__(
        self, core: APICore, appid: str, secret: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._core, self._appid, self._secret, self._clock = core, appid, secret, clock

    async def __call__(self, force: bool) -> AccessToken:
        body = {
            "grant_type": "client_credential",
            "appid": self._appid,
            "secret": self._secret,
            "force_refresh": force,
        }
        data = await self._core.post(self.path, body, auth=False)
        return token_from_response(data, self.path, self._clock())


class PlainTokenFetcher:
    """GET /cgi-bin/token: every call rotates the token (the old one lives ~5 more minutes).

    https://developers.weixin.qq.com/doc/service/en/Basic_Information/Get_access_token.html
    """

    path = "/cgi-bin/token"

    def __init__(
        self, core: APICore, appid: str, secret: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._core, self._appid, self._secret, self._clock = core, appid, secret, clock

    async def __call__(self, force: bool) -> AccessToken:
        params = {"grant_type": "client_credential", "appid": self._appid, "secret": self._secret}
        data = await self._core.get(self.path, params, auth=False)
        return token_from_response(data, self.path, self._clock())


class WeComTokenFetcher:
    """GET /cgi-bin/gettoken on qyapi: one token per (corpid, app secret).

    https://developer.work.weixin.qq.com/document/path/91039
    """

    path = "/cgi-bin/gettoken"

    def __init__(
        self, core: APICore, corpid: str, secret: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._core, self._corpid, self._secret, self._clock = core, corpid, secret, clock

    async def __call__(self, force: bool) -> AccessToken:
        params = {"corpid": self._corpid, "corpsecret": self._secret}
        data = await self._core.get(self.path, params, auth=False)
        return token_from_response(data, self.path, self._clock())
