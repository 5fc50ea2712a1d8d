"""Template messages (verified service accounts) and template management."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shequn.wechat.errors.validation import check_count
from shequn.wechat.http import APIArea, JSONDict


class TemplatesAPI(APIArea):
    async def send(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str],
        *,
        url: str | None = None,
        miniprogram: Mapping[str, str] | None = None,
        client_msg_id: str | None = None,
    ) -> int:
        """Send; `data` maps keyword names to values. Returns msgid (outcome arrives by event).

        https://developers.weixin.qq.com/doc/service/api/notify/template/api_sendtemplatemessage.md
        """
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if url:
            body["url"] = url
        if miniprogram:
            body["miniprogram"] = dict(miniprogram)
        if client_msg_id:
            body["client_msg_id"] = client_msg_id
        result = await self._core.post("/cgi-bin/message/template/send", body)
        return int(result["msgid"])

    async def set_industry(self, industry_id1: str, industry_id2: str) -> JSONDict:
        """https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html"""
        body = {"industry_id1": industry_id1, "industry_id2": industry_id2}
        return await self._core.post("/cgi-bin/template/api_set_industry", body)

    async def get_industry(self) -> JSONDict:
        """https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html"""
        return await self._core.get("/cgi-bin/template/get_industry")

    async def add(self, template_id_short: str, keyword_names: Sequence[str] = ()) -> str:
        """Add a template from the library; returns template_id.

        https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
        """
        body: dict[str, Any] = {"template_id_short": template_id_short}
        if keyword_names:
            check_count("keyword_name_list", keyword_names, 5)
            body["keyword_name_list"] = list(keyword_names)
        data = await self._core.post("/cgi-bin/template/api_add_template", body)
        return str(data["template_id"])

    async def all_private(self) -> list[JSONDict]:
        """https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html"""
        data = await self._core.get("/cgi-bin/template/get_all_private_template")
        templates: list[JSONDict] = data.get("template_list", [])
        return templates

    async def delete(self, template_id: str) -> JSONDict:
        """https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html"""
        body = {"template_id": template_id}
        return await self._core.post("/cgi-bin/template/del_private_template", body)
