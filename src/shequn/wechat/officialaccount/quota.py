"""API quota inspection and reset, and request-id lookup."""

from __future__ import annotations

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.http import APIArea, APICore, JSONDict


class QuotaAPI(APIArea):
    def __init__(self, core: APICore, appid: str) -> None:
        super().__init__(core)
        self._appid = appid

    async def get(self, cgi_path: str) -> JSONDict:
        """{daily_limit, used, remain} for one API path, e.g. "/cgi-bin/message/custom/send".

        https://developers.weixin.qq.com/doc/offiaccount/openApi/get_api_quota.html
        """
        if not cgi_path.startswith("/") or "://" in cgi_path:
            raise InvalidRequest("cgi_path", "an API path starting with '/', without host")
        data = await self._core.post("/cgi-bin/openapi/quota/get", {"cgi_path": cgi_path})
        quota: JSONDict = data.get("quota", {})
        return quota

    async def clear(self) -> JSONDict:
        """Reset all counters (10 times a month; 48006 after that).

        https://developers.weixin.qq.com/doc/channels/api/basic/api_clearapiquota.html?lang=en
        """
        return await self._core.post("/cgi-bin/clear_quota", {"appid": self._appid})

    async def rid(self, rid: str) -> JSONDict:
        """Details of a failed request from the rid in its errmsg.

        https://developers.weixin.qq.com/doc/offiaccount/openApi/get_rid_info.html
        """
        data = await self._core.post("/cgi-bin/openapi/rid/get", {"rid": rid})
        request: JSONDict = data.get("request", {})
        return request
