"""OAuth2 web authorisation (网页授权): consent URL, user tokens, user profile.

User access tokens here are per user and unrelated to the account's base access token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from shequn.wechat.endpoints import OPEN_WEB
from shequn.wechat.errors import APIError, InvalidRequest, MalformedResponse
from shequn.wechat.http import APIArea, APICore, JSONDict

_STATE = re.compile(r"[A-Za-z0-9]{0,128}")
Scope = Literal["snsapi_base", "snsapi_userinfo"]


@dataclass(frozen=True)
class OAuthToken:
    access_token: str
    expires_in: int
    refresh_token: str
    openid: str
    scope: str
    unionid: str | None = None
    is_snapshotuser: bool = False


def _token(data: JSONDict, path: str) -> OAuthToken:
    try:
        return OAuthToken(
            access_token=str(data["access_token"]),
            expires_in=int(data["expires_in"]),
            refresh_token=str(data["refresh_token"]),
            openid=str(data["openid"]),
            scope=str(data.get("scope", "")),
            unionid=data.get("unionid"),
            is_snapshotuser=bool(data.get("is_snapshotuser", 0)),
        )
    except (KeyError, TypeError, ValueError):
        raise MalformedResponse(None, "incomplete OAuth token answer", path=path) from None


class OAuthAPI(APIArea):
    """https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsaccesstoken"""

    def __init__(
        self, core: APICore, appid: str, secret: str, web_base_url: str = OPEN_WEB
    ) -> None:
        super().__init__(core)
        self._appid, self._secret, self._web_base_url = appid, secret, web_base_url.rstrip("/")

    def authorize_url(
        self,
        redirect_uri: str,
        scope: Scope = "snsapi_base",
        state: str = "",
        *,
        force_popup: bool = False,
    ) -> str:
        """Where to send the user inside WeChat; `state` is ≤128 letters/digits.

        https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
        """
        if not _STATE.fullmatch(state):
            raise InvalidRequest("state", "at most 128 ASCII letters and digits")
        if scope not in ("snsapi_base", "snsapi_userinfo"):
            raise InvalidRequest("scope", "snsapi_base or snsapi_userinfo")
        params = {
            "appid": self._appid,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": scope,
            "state": state,
        }
        if force_popup:
            params["forcePopup"] = "true"
        # Parameter order matters to WeChat's page; the fragment is mandatory.
        return f"{self._web_base_url}/connect/oauth2/authorize?{urlencode(params)}#wechat_redirect"

    async def exchange_code(self, code: str) -> OAuthToken:
        """Single-use code (5 minutes) → user token. 40029/40163/42003 mean re-authorise.

        https://developers.weixin.qq.com/doc/service/api/webdev/access/api_snsaccesstoken
        """
        params = {
            "appid": self._appid,
            "secret": self._secret,
            "code": code,
            "grant_type": "authorization_code",
        }
        path = "/sns/oauth2/access_token"
        return _token(await self._core.get(path, params, auth=False), path)

    async def refresh(self, refresh_token: str) -> OAuthToken:
        """Refresh tokens live 30 days and cannot be extended.

        https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
        """
        params = {
            "appid": self._appid,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        path = "/sns/oauth2/refresh_token"
        return _token(await self._core.get(path, params, auth=False), path)

    async def user_info(self, access_token: str, openid: str, lang: str = "zh_CN") -> JSONDict:
        """Nickname and avatar (snsapi_userinfo scope).

        https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
        """
        params = {"access_token": access_token, "openid": openid, "lang": lang}
        return await self._core.get("/sns/userinfo", params, auth=False)

    async def check(self, access_token: str, openid: str) -> bool:
        """Whether a user access token is still valid.

        https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
        """
        try:
            await self._core.get(
                "/sns/auth", {"access_token": access_token, "openid": openid}, auth=False
            )
        except APIError as exc:
            if exc.errcode is None:
                raise
            return False
        return True
