"""Corp mass messages (企业群发): tasks staff confirm, and their records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.errors.validation import check_count, check_range
from shequn.wechat.http import APIArea, JSONDict
from shequn.wechat.wecom.attachments import check_message

ChatType = Literal["single", "group"]
_MONTH_SECONDS = 31 * 24 * 3600


class GroupMessagesAPI(APIArea):
    async def add_template(
        self,
        *,
        chat_type: ChatType = "single",
        sender: str | None = None,
        external_userids: Sequence[str] = (),
        chat_ids: Sequence[str] = (),
        tag_filter: Sequence[Sequence[str]] = (),
        allow_select: bool | None = None,
        text: str | None = None,
        attachments: Sequence[Mapping[str, Any]] = (),
    ) -> JSONDict:
        """Create a mass-message task; returns {"msgid", "fail_list"}. Staff must confirm.

        `tag_filter` is groups of tag ids: OR within a group, AND across groups.
        https://developer.work.weixin.qq.com/document/path/92135
        """
        check_message(text, attachments)
        if chat_type == "single":
            if chat_ids:
                raise InvalidRequest("chat_id_list", "only for chat_type=group")
            check_count("external_userid", external_userids, 10_000)
            if not external_userids and not sender:
                raise InvalidRequest("sender", "give external_userid or sender")
        elif chat_type == "group":
            if external_userids:
                raise InvalidRequest("external_userid", "only for chat_type=single")
            if not sender:
                raise InvalidRequest("sender", "required for chat_type=group")
            check_count("chat_id_list", chat_ids, 2000)
        else:
            raise InvalidRequest("chat_type", "single or group")
        for i, group in enumerate(tag_filter):
            check_count(f"tag_filter.group_list[{i}].tag_list", group, 100, minimum=1)
        body: dict[str, Any] = {"chat_type": chat_type}
        if sender:
            body["sender"] = sender
        if external_userids:
            body["external_userid"] = list(external_userids)
        if chat_ids:
            body["chat_id_list"] = list(chat_ids)
        if tag_filter:
            body["tag_filter"] = {"group_list": [{"tag_list": list(g)} for g in tag_filter]}
        if allow_select is not None:
            body["allow_select"] = allow_select
        if text:
            body["text"] = {"content": text}
        if attachments:
            body["attachments"] = [dict(a) for a in attachments]
        return await self._core.post("/cgi-bin/externalcontact/add_msg_template", body)

    async def list_v2(
        self,
        *,
        chat_type: ChatType,
        start_time: int,
        end_time: int,
        creator: str | None = None,
        filter_type: int = 2,
        limit: int = 50,
        cursor: str = "",
    ) -> JSONDict:
        """Mass messages created in a window of at most one month.

        https://developer.work.weixin.qq.com/document/path/93338
        """
        if end_time < start_time:
            raise InvalidRequest("end_time", "before start_time")
        if end_time - start_time > _MONTH_SECONDS:
            raise InvalidRequest("end_time", "the window spans at most one month")
        check_range("filter_type", filter_type, 0, 2)
        check_range("limit", limit, 1, 100)
        body: dict[str, Any] = {
            "chat_type": chat_type,
            "start_time": start_time,
            "end_time": end_time,
            "filter_type": filter_type,
            "limit": limit,
            "cursor": cursor,
        }
        if creator:
            body["creator"] = creator
        return await self._core.post("/cgi-bin/externalcontact/get_groupmsg_list_v2", body)

    async def task(self, msgid: str, *, limit: int = 500, cursor: str = "") -> JSONDict:
        """Which members have sent it: {"task_list": [{userid, status, send_time}]}.

        https://developer.work.weixin.qq.com/document/path/93338
        """
        check_range("limit", limit, 1, 1000)
        body = {"msgid": msgid, "limit": limit, "cursor": cursor}
        return await self._core.post("/cgi-bin/externalcontact/get_groupmsg_task", body)

    async def send_result(
        self, msgid: str, userid: str, *, limit: int = 500, cursor: str = ""
    ) -> JSONDict:
        """Per-recipient outcome of one member's sending.

        https://developer.work.weixin.qq.com/document/path/93338
        """
        check_range("limit", limit, 1, 1000)
        body = {"msgid": msgid, "userid": userid, "limit": limit, "cursor": cursor}
        return await self._core.post("/cgi-bin/externalcontact/get_groupmsg_send_result", body)
