"""Customer-service messages, sent within the window a user's interaction opens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.http import APIArea, JSONDict


class CustomMessagesAPI(APIArea):
    """https://developers.weixin.qq.com/doc/service/api/customer/message/api_sendcustommessage"""

    async def send(
        self,
        openid: str,
        msgtype: str,
        content: Mapping[str, Any],
        *,
        kf_account: str | None = None,
    ) -> JSONDict:
        """Any message type; the typed helpers below build `content` for the common ones.

        45015: window closed; 45047: too many messages for this interaction.
        https://developers.weixin.qq.com/doc/service/api/customer/message/api_sendcustommessage
        """
        body: dict[str, Any] = {"touser": openid, "msgtype": msgtype, msgtype: dict(content)}
        if kf_account:
            body["customservice"] = {"kf_account": kf_account}
        return await self._core.post("/cgi-bin/message/custom/send", body)

    async def text(self, openid: str, content: str) -> JSONDict:
        """https://developers.weixin.qq.com/doc/service/api/customer/message/api_sendcustommessage"""
        return await self.send(openid, "text", {"content": content})

    async def image(self, openid: str, media_id: str) -> JSONDict:
        """https://developers.weixin.qq.com/doc/service/api/customer/message/api_sendcustommessage"""
        return await self.send(openid, "image", {"media_id": media_id})

    async def voice(self, openid: str, media_id: str) -> JSONDict:
        """https://developers.weixin.qq.com/doc/service/api/customer/message/api_sendcustommessage"""
        return await self.send(openid, "voice", {"media_id": media_id})

    async def video(
        self,
        openid: str,
        media_id: str,
        thumb_media_id: str,
        title: str = "",
        description: str = "",
    ) -> JSONDict:
        """https://developers.weixin.qq.com/doc/service/api/customer/message/api_sendcustommessage"""
        content = {
            "media_id": media_id,
            "thumb_media_id": thumb_media_id,
            "title": title,
            "description": description,
        }
        return await self.send(openid, "video", content)

    async def music(
        self,
        openid: str,
        *,
        title: str,
        description: str,
        musicurl: str,
        hqmusicurl: str,
        thumb_media_id: str,
    ) -> JSONDict:
        """https://developers.weixin.qq.com/doc/service/api/customer/message/api_sendcustommessage"""
        content = {
            "title": title,
            "description": description,
            "musicurl": musicurl,
            "hqmusicurl": hqmusicurl,
            "thumb_media_id": thumb_media_id,
        }
        return await self.send(openid, "music", content)

    async def news(
        self, openid: str, *, title: str, description: str, url: str, picurl: str
    ) -> JSONDict:
        """One outbound link card (more than one article is rejected with 45008).

        https://developers.weixin.qq.com/doc/service/api/customer/message/api_sendcustommessage
        """
        article = {"title": title, "description": description, "url": url, "picurl": picurl}
        return await self.send(openid, "news", {"articles": [article]})

    async def mpnews(self, openid: str, media_id: str) -> JSONDict:
        """https://developers.weixin.qq.com/doc/service/api/customer/message/api_sendcustommessage"""
        return await self.send(openid, "mpnews", {"media_id": media_id})

    async def mini_program_page(
        self, openid: str, *, title: str, appid: str, pagepath: str, thumb_media_id: str
    ) -> JSONDict:
        """https://developers.weixin.qq.com/doc/service/api/customer/message/api_sendcustommessage"""
        content = {
            "title": title,
            "appid": appid,
            "pagepath": pagepath,
            "thumb_media_id": thumb_media_id,
        }
        return await self.send(openid, "miniprogrampage", content)

    async def typing(
        self, openid: str, command: Literal["Typing", "CancelTyping"] = "Typing"
    ) -> JSONDict:
        """Show "typing…" for 15 s; needs a user message in the last 30 s (45080).

        https://developers.weixin.qq.com/doc/service/api/customer/message/api_typing
        """
        if command not in ("Typing", "CancelTyping"):
            raise InvalidRequest("command", "must be Typing or CancelTyping")
        body = {"touser": openid, "command": command}
        return await self._core.post("/cgi-bin/message/custom/typing", body)
