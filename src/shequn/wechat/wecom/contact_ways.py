"""「联系我」 contact ways: staff QR codes and mini-program buttons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.errors.validation import check_chars, check_count, check_range
from shequn.wechat.http import APIArea, JSONDict

MAX_TEMP_SECONDS = 14 * 24 * 3600


def check_contact_way(fields: Mapping[str, Any]) -> None:
    """Documented limits of add/update_contact_way."""
    check_chars("state", fields.get("state"), 30)
    check_chars("remark", fields.get("remark"), 30)
    check_count("user", fields.get("user"), 100)
    way_type = fields.get("type")
    if way_type is not None:
        check_range("type", way_type, 1, 2)
        if way_type == 1 and len(fields.get("user") or ()) != 1:
            raise InvalidRequest("user", "a single-person way (type=1) needs exactly one user")
        if way_type == 1 and fields.get("party"):
            raise InvalidRequest("party", "only multi-person ways (type=2) take departments")
    check_range("scene", fields.get("scene"), 1, 2)
    if fields.get("is_temp"):
        check_range("expires_in", fields.get("expires_in"), 1, MAX_TEMP_SECONDS)
        check_range("chat_expires_in", fields.get("chat_expires_in"), 1, MAX_TEMP_SECONDS)
    elif fields.get("expires_in") is not None or fields.get("chat_expires_in") is not None:
        raise InvalidRequest("expires_in", "only temporary ways (is_temp) expire")


class ContactWaysAPI(APIArea):
    """https://developer.work.weixin.qq.com/document/path/92572"""

    async def add(
        self,
        *,
        type: int,
        scene: int,
        users: Sequence[str] = (),
        parties: Sequence[int] = (),
        state: str | None = None,
        remark: str | None = None,
        skip_verify: bool = True,
        **extra: Any,
    ) -> JSONDict:
        """Create a way; returns {"config_id", "qr_code"?}. Persist config_id.

        https://developer.work.weixin.qq.com/document/path/92572
        """
        body: dict[str, Any] = {"type": type, "scene": scene, "skip_verify": skip_verify, **extra}
        if users:
            body["user"] = list(users)
        if parties:
            body["party"] = list(parties)
        if state is not None:
            body["state"] = state
        if remark is not None:
            body["remark"] = remark
        check_contact_way(body)
        if not users and not parties:
            raise InvalidRequest("user", "give at least one user or department")
        return await self._core.post("/cgi-bin/externalcontact/add_contact_way", body)

    async def get(self, config_id: str) -> JSONDict:
        """https://developer.work.weixin.qq.com/document/path/92572"""
        data = await self._core.post(
            "/cgi-bin/externalcontact/get_contact_way", {"config_id": config_id}
        )
        way: JSONDict = data.get("contact_way", {})
        return way

    async def list(
        self,
        *,
        start_time: int | None = None,
        end_time: int | None = None,
        cursor: str = "",
        limit: int = 100,
    ) -> JSONDict:
        """Non-temporary ways created after 2021-07-10: {"contact_way", "next_cursor"}.

        https://developer.work.weixin.qq.com/document/path/92572
        """
        check_range("limit", limit, 1, 1000)
        body: dict[str, Any] = {"cursor": cursor, "limit": limit}
        if start_time is not None:
            body["start_time"] = start_time
        if end_time is not None:
            body["end_time"] = end_time
        return await self._core.post("/cgi-bin/externalcontact/list_contact_way", body)

    async def update(self, config_id: str, **fields: Any) -> JSONDict:
        """Overwrite fields (lists are replaced, not merged).

        https://developer.work.weixin.qq.com/document/path/92572
        """
        check_contact_way(fields)
        body = {"config_id": config_id, **fields}
        return await self._core.post("/cgi-bin/externalcontact/update_contact_way", body)

    async def delete(self, config_id: str) -> JSONDict:
        """https://developer.work.weixin.qq.com/document/path/92572"""
        return await self._core.post(
            "/cgi-bin/externalcontact/del_contact_way", {"config_id": config_id}
        )
