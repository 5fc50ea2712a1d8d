"""Mass messages (群发): by tag or to all, to an OpenID list, preview, status, speed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shequn.wechat.errors import APIError, InvalidRequest
from shequn.wechat.errors.codes import OfficialAccountErrorCode
from shequn.wechat.errors.validation import check_bytes, check_count, check_range
from shequn.wechat.http import APIArea, JSONDict

_MSGTYPES = frozenset({"mpnews", "text", "voice", "images", "mpvideo", "wxcard", "music"})


def _message(msgtype: str, content: Mapping[str, Any]) -> dict[str, Any]:
    if msgtype not in _MSGTYPES:
        raise InvalidRequest("msgtype", f"must be one of {sorted(_MSGTYPES)}")
    return {"msgtype": msgtype, msgtype: dict(content)}


class MassAPI(APIArea):
    """https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends_and_Originality_Checks.html"""

    async def send_to_tag(
        self,
        msgtype: str,
        content: Mapping[str, Any],
        *,
        tag_id: int | None = None,
        send_ignore_reprint: bool = False,
        clientmsgid: str | None = None,
    ) -> JSONDict:
        """Send to a tag, or to everyone when `tag_id` is None; returns {msg_id, msg_data_id?}.

        A repeated `clientmsgid` within 24 h (45065) is a success: the first send's msg_id.
        https://developers.weixin.qq.com/doc/service/api/notify/message/api_sendall
        """
        check_bytes("clientmsgid", clientmsgid, 64)
        target: dict[str, Any] = {"is_to_all": tag_id is None}
        if tag_id is not None:
            target["tag_id"] = tag_id
        body = {"filter": target, **_message(msgtype, content)}
        body["send_ignore_reprint"] = int(send_ignore_reprint)
        if clientmsgid is not None:
            body["clientmsgid"] = clientmsgid
        return await self._send("/cgi-bin/message/mass/sendall", body)

    async def send_to_openids(
        self,
        openids: Sequence[str],
        msgtype: str,
        content: Mapping[str, Any],
        *,
        send_ignore_reprint: bool = False,
        clientmsgid: str | None = None,
    ) -> JSONDict:
        """Send to 2-10,000 OpenIDs (verified service accounts).

        https://developers.weixin.qq.com/doc/service/api/notify/message/api_masssend.html
        """
        check_count("touser", openids, 10_000, minimum=2)
        check_bytes("clientmsgid", clientmsgid, 64)
        body = {"touser": list(openids), **_message(msgtype, content)}
        body["send_ignore_reprint"] = int(send_ignore_reprint)
        if clientmsgid is not None:
            body["clientmsgid"] = clientmsgid
        return await self._send("/cgi-bin/message/mass/send", body)

    async def _send(self, path: str, body: dict[str, Any]) -> JSONDict:
        try:
            return await self._core.post(path, body)
        except APIError as exc:
            if exc.errcode == OfficialAccountErrorCode.DUPLICATE_CLIENTMSGID:
                return dict(exc.payload)
            raise

    async def preview(
        self,
        msgtype: str,
        content: Mapping[str, Any],
        *,
        openid: str | None = None,
        wxname: str | None = None,
    ) -> JSONDict:
        """Preview to one user by OpenID or WeChat ID (towxname wins when both are given).

        https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends_and_Originality_Checks.html
        """
        if not openid and not wxname:
            raise InvalidRequest("touser", "give an openid or a wxname")
        body = _message(msgtype, content)
        if openid:
            body["touser"] = openid
        if wxname:
            body["towxname"] = wxname
        return await self._core.post("/cgi-bin/message/mass/preview", body)

    async def status(self, msg_id: int) -> str:
        """SEND_SUCCESS, SENDING, SEND_FAIL or DELETE.

        https://developers.weixin.qq.com/doc/service/api/notify/message/api_massmsgget.md
        """
        data = await self._core.post("/cgi-bin/message/mass/get", {"msg_id": msg_id})
        return str(data.get("msg_status", ""))

    async def delete(self, msg_id: int, article_idx: int = 0, url: str | None = None) -> JSONDict:
        """Delete a sent mpnews/video; `article_idx` 1-based, 0 = the whole post.

        https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends_and_Originality_Checks.html
        """
        body: dict[str, Any] = {"msg_id": msg_id, "article_idx": article_idx}
        if url:
            body["url"] = url
        return await self._core.post("/cgi-bin/message/mass/delete", body)

    async def get_speed(self) -> JSONDict:
        """{speed, realspeed}.

        https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends_and_Originality_Checks.html
        """
        return await self._core.post("/cgi-bin/message/mass/speed/get", {})

    async def set_speed(self, speed: int) -> JSONDict:
        """0 = 800k/min ... 4 = 100k/min.

        https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends_and_Originality_Checks.html
        """
        check_range("speed", speed, 0, 4)
        return await self._core.post("/cgi-bin/message/mass/speed/set", {"speed": speed})
