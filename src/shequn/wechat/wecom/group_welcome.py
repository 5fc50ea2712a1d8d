"""Group welcome templates (入群欢迎语素材): the text (and one attachment) a group sends to a
customer who joins, once staff apply the template to the group in their client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.errors.validation import check_bytes
from shequn.wechat.http import APIArea, JSONDict

MEDIA_KINDS = frozenset({"image", "link", "miniprogram", "file", "video"})


def _body(
    text: str | None, attachment: Mapping[str, Any] | None, agentid: int | None
) -> dict[str, Any]:
    check_bytes("text.content", text, 4000)
    body: dict[str, Any] = {}
    if text is not None:
        body["text"] = {"content": text}
    if attachment is not None:
        kind = attachment.get("msgtype")
        if kind not in MEDIA_KINDS or not isinstance(attachment.get(str(kind)), Mapping):
            raise InvalidRequest("attachment", "one of image, link, miniprogram, file, video")
        body[str(kind)] = dict(attachment[str(kind)])
    if agentid is not None:
        body["agentid"] = agentid
    return body


class GroupWelcomeAPI(APIArea):
    async def add(
        self,
        text: str | None = None,
        attachment: Mapping[str, Any] | None = None,
        *,
        agentid: int | None = None,
        notify: bool = True,
    ) -> str:
        """Create a template; returns its template_id (100 per corp, 41055 beyond). `attachment`
        is shaped like a message attachment: {"msgtype": "link", "link": {...}}. `%NICKNAME%` in
        the text becomes the joining member's nickname.

        https://developer.work.weixin.qq.com/document/path/92366
        """
        if not text and attachment is None:
            raise InvalidRequest("text", "text and attachment cannot both be empty")
        body = _body(text, attachment, agentid)
        body["notify"] = int(notify)
        answer = await self._core.post("/cgi-bin/externalcontact/group_welcome_template/add", body)
        return str(answer["template_id"])

    async def edit(
        self,
        template_id: str,
        text: str | None = None,
        attachment: Mapping[str, Any] | None = None,
        *,
        agentid: int | None = None,
    ) -> JSONDict:
        """Change the text and/or attachment of a template.

        https://developer.work.weixin.qq.com/document/path/92366
        """
        if not template_id:
            raise InvalidRequest("template_id", "must not be empty")
        body = {"template_id": template_id, **_body(text, attachment, agentid)}
        return await self._core.post("/cgi-bin/externalcontact/group_welcome_template/edit", body)

    async def get(self, template_id: str) -> JSONDict:
        """{"text": {"content"}, "<kind>": {...}} of a template.

        https://developer.work.weixin.qq.com/document/path/92366
        """
        if not template_id:
            raise InvalidRequest("template_id", "must not be empty")
        return await self._core.post(
            "/cgi-bin/externalcontact/group_welcome_template/get", {"template_id": template_id}
        )

    async def delete(self, template_id: str, *, agentid: int | None = None) -> JSONDict:
        """Remove a template.

        https://developer.work.weixin.qq.com/document/path/92366
        """
        if not template_id:
            raise InvalidRequest("template_id", "must not be empty")
        body: dict[str, Any] = {"template_id": template_id}
        if agentid is not None:
            body["agentid"] = agentid
        return await self._core.post("/cgi-bin/externalcontact/group_welcome_template/del", body)
