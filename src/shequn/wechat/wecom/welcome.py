"""The welcome message for a customer who just added a member."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.http import APIArea, JSONDict
from shequn.wechat.wecom.attachments import check_message


class WelcomeAPI(APIArea):
    async def send(
        self,
        welcome_code: str,
        text: str | None = None,
        attachments: Sequence[Mapping[str, Any]] = (),
    ) -> JSONDict:
        """Use the event's WelcomeCode within 20 s, once (41050 expired, 41051 already chatting).

        https://developer.work.weixin.qq.com/document/path/92137
        """
        if not welcome_code:
            raise InvalidRequest("welcome_code", "must not be empty")
        check_message(text, attachments)
        body: dict[str, Any] = {"welcome_code": welcome_code}
        if text:
            body["text"] = {"content": text}
        if attachments:
            body["attachments"] = [dict(a) for a in attachments]
        return await self._core.post("/cgi-bin/externalcontact/send_welcome_msg", body)
