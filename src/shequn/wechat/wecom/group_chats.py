"""Customer groups (客户群) and 「加入群聊」 join ways."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.errors.validation import check_chars, check_count, check_range
from shequn.wechat.http import APIArea, JSONDict


class GroupChatsAPI(APIArea):
    async def list(
        self,
        *,
        limit: int = 1000,
        cursor: str = "",
        status_filter: int = 0,
        owner_userids: Sequence[str] = (),
    ) -> JSONDict:
        """{"group_chat_list": [{chat_id, status}], "next_cursor"}; empty cursor = done.

        Without owner_userids, corps whose app sees >1000 members get 81017.
        https://developer.work.weixin.qq.com/document/path/92120
        """
        check_range("limit", limit, 1, 1000)
        check_range("status_filter", status_filter, 0, 3)
        check_count("owner_filter.userid_list", owner_userids, 100)
        body: dict[str, Any] = {"status_filter": status_filter, "cursor": cursor, "limit": limit}
        if owner_userids:
            body["owner_filter"] = {"userid_list": list(owner_userids)}
        return await self._core.post("/cgi-bin/externalcontact/groupchat/list", body)

    async def get(self, chat_id: str, *, need_name: bool = True) -> JSONDict:
        """The group with members, admins and member_version.

        https://developer.work.weixin.qq.com/document/path/92122
        """
        body = {"chat_id": chat_id, "need_name": int(need_name)}
        data = await self._core.post("/cgi-bin/externalcontact/groupchat/get", body)
        group: JSONDict = data.get("group_chat", {})
        return group


def check_join_way(fields: Mapping[str, Any]) -> None:
    """Documented limits of add/update_join_way."""
    check_range("scene", fields.get("scene"), 1, 2)
    chat_ids = fields.get("chat_id_list")
    if chat_ids is not None:
        check_count("chat_id_list", chat_ids, 5, minimum=1)
    check_chars("state", fields.get("state"), 30)
    check_chars("room_base_name", fields.get("room_base_name"), 40)
    check_range("auto_create_room", fields.get("auto_create_room"), 0, 1)


class JoinWaysAPI(APIArea):
    """https://developer.work.weixin.qq.com/document/path/92229"""

    async def add(
        self,
        *,
        scene: int,
        chat_ids: Sequence[str],
        remark: str | None = None,
        auto_create_room: int = 1,
        room_base_name: str | None = None,
        room_base_id: int | None = None,
        state: str | None = None,
        **extra: Any,
    ) -> str:
        """Create a join way over ≤5 groups; returns config_id.

        https://developer.work.weixin.qq.com/document/path/92229
        """
        body: dict[str, Any] = {
            "scene": scene,
            "chat_id_list": list(chat_ids),
            "auto_create_room": auto_create_room,
            **extra,
        }
        optional = {
            "remark": remark,
            "room_base_name": room_base_name,
            "room_base_id": room_base_id,
            "state": state,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        if not chat_ids:
            raise InvalidRequest("chat_id_list", "at least one group is required")
        check_join_way(body)
        data = await self._core.post("/cgi-bin/externalcontact/groupchat/add_join_way", body)
        return str(data["config_id"])

    async def get(self, config_id: str) -> JSONDict:
        """https://developer.work.weixin.qq.com/document/path/92229"""
        data = await self._core.post(
            "/cgi-bin/externalcontact/groupchat/get_join_way", {"config_id": config_id}
        )
        way: JSONDict = data.get("join_way", {})
        return way

    async def update(
        self, config_id: str, *, scene: int, chat_ids: Sequence[str], **fields: Any
    ) -> JSONDict:
        """Full overwrite: omitted fields are reset.

        https://developer.work.weixin.qq.com/document/path/92229
        """
        body: dict[str, Any] = {
            "config_id": config_id,
            "scene": scene,
            "chat_id_list": list(chat_ids),
            **fields,
        }
        if not chat_ids:
            raise InvalidRequest("chat_id_list", "at least one group is required")
        check_join_way(body)
        return await self._core.post("/cgi-bin/externalcontact/groupchat/update_join_way", body)

    async def delete(self, config_id: str) -> JSONDict:
        """https://developer.work.weixin.qq.com/document/path/92229"""
        return await self._core.post(
            "/cgi-bin/externalcontact/groupchat/del_join_way", {"config_id": config_id}
        )
