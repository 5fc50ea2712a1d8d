"""Members of the corp (通讯录): a member's name and status for the staff list."""

from __future__ import annotations

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.http import APIArea, JSONDict


class StaffAPI(APIArea):
    async def get(self, userid: str) -> JSONDict:
        """One member: {"userid", "name", "department", "status", ...} (60111 unknown userid).

        https://developer.work.weixin.qq.com/document/path/90196
        """
        if not userid:
            raise InvalidRequest("userid", "must not be empty")
        return await self._core.get("/cgi-bin/user/get", {"userid": userid})
