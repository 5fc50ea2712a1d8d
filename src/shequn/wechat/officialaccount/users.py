"""Followers: profile, list, remark and blacklist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, cast

from shequn.wechat.errors.validation import check_chars, check_count
from shequn.wechat.http import APIArea, JSONDict


class UserInfo(TypedDict, total=False):
    """user/info fields still returned (nickname, avatar, sex, region are gone)."""

    subscribe: int
    openid: str
    language: str
    subscribe_time: int
    unionid: str
    remark: str
    groupid: int
    tagid_list: list[int]
    subscribe_scene: str
    qr_scene: int
    qr_scene_str: str


@dataclass(frozen=True)
class OpenIdPage:
    """One page of OpenIDs; `next_openid` is empty or repeats when the list is exhausted."""

    total: int
    openids: list[str]
    next_openid: str


def _page(data: JSONDict) -> OpenIdPage:
    inner: dict[str, Any] = data.get("data") or {}
    return OpenIdPage(
        total=int(data.get("total", 0)),
        openids=list(inner.get("openid", [])),
        next_openid=str(data.get("next_openid", "")),
    )


class UsersAPI(APIArea):
    async def info(self, openid: str, lang: str = "zh_CN") -> UserInfo:
        """https://developers.weixin.qq.com/doc/service/api/usermanage/userinfo/api_userinfo"""
        data = await self._core.get("/cgi-bin/user/info", {"openid": openid, "lang": lang})
        return cast(UserInfo, data)

    async def batch_info(self, openids: Sequence[str], lang: str = "zh_CN") -> list[UserInfo]:
        """Up to 100 followers at once.

        https://developers.weixin.qq.com/doc/subscription/api/usermanage/userinfo/api_batchuserinfo
        """
        check_count("user_list", openids, 100, minimum=1)
        body = {"user_list": [{"openid": o, "lang": lang} for o in openids]}
        data = await self._core.post("/cgi-bin/user/info/batchget", body)
        users: list[UserInfo] = data.get("user_info_list", [])
        return users

    async def followers(self, next_openid: str = "") -> OpenIdPage:
        """Up to 10,000 follower OpenIDs per call, continuing after `next_openid`.

        https://developers.weixin.qq.com/doc/offiaccount/User_Management/Getting_a_User_List.html
        """
        params = {"next_openid": next_openid} if next_openid else None
        return _page(await self._core.get("/cgi-bin/user/get", params))

    async def update_remark(self, openid: str, remark: str) -> JSONDict:
        """Set the remark (<30 chars).

        https://developers.weixin.qq.com/doc/offiaccount/User_Management/Configuring_user_notes.html
        """
        check_chars("remark", remark, 29)
        body = {"openid": openid, "remark": remark}
        return await self._core.post("/cgi-bin/user/info/updateremark", body)

    async def blacklist(self, begin_openid: str = "") -> OpenIdPage:
        """https://developers.weixin.qq.com/doc/service/en/User_Management/Manage_blacklist.html"""
        body = {"begin_openid": begin_openid}
        return _page(await self._core.post("/cgi-bin/tags/members/getblacklist", body))

    async def block(self, openids: Sequence[str]) -> JSONDict:
        """Blacklist up to 20 users.

        https://developers.weixin.qq.com/doc/service/api/usermanage/userinfo/api_batchblacklist
        """
        check_count("openid_list", openids, 20, minimum=1)
        body = {"openid_list": list(openids)}
        return await self._core.post("/cgi-bin/tags/members/batchblacklist", body)

    async def unblock(self, openids: Sequence[str]) -> JSONDict:
        """https://developers.weixin.qq.com/doc/service/en/User_Management/Manage_blacklist.html"""
        check_count("openid_list", openids, 20, minimum=1)
        body = {"openid_list": list(openids)}
        return await self._core.post("/cgi-bin/tags/members/batchunblacklist", body)
