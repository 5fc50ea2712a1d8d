"""Customers (external contacts): who follows whom, details, remarks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shequn.wechat.errors.validation import check_bytes, check_chars, check_count, check_range
from shequn.wechat.http import APIArea, JSONDict


class CustomersAPI(APIArea):
    async def follow_users(self) -> list[str]:
        """Members with customer contact enabled (within the app's visibility).

        https://developer.work.weixin.qq.com/document/path/92571
        """
        data = await self._core.get("/cgi-bin/externalcontact/get_follow_user_list")
        return [str(u) for u in data.get("follow_user", [])]

    async def list(self, userid: str) -> list[str]:
        """external_userids of one member's customers.

        https://developer.work.weixin.qq.com/document/path/92113
        """
        data = await self._core.get("/cgi-bin/externalcontact/list", {"userid": userid})
        return [str(u) for u in data.get("external_userid", [])]

    async def get(self, external_userid: str, cursor: str = "") -> JSONDict:
        """{"external_contact", "follow_user", "next_cursor"} (follow_user paged above 500).

        https://developer.work.weixin.qq.com/document/path/92114
        """
        params = {"external_userid": external_userid, "cursor": cursor or None}
        return await self._core.get("/cgi-bin/externalcontact/get", params)

    async def batch_get_by_user(
        self, userids: Sequence[str], cursor: str = "", limit: int = 50
    ) -> JSONDict:
        """Details of the customers of ≤100 members; {"external_contact_list", "next_cursor"}.

        https://developer.work.weixin.qq.com/document/path/92994
        """
        check_count("userid_list", userids, 100, minimum=1)
        check_range("limit", limit, 1, 100)
        body = {"userid_list": list(userids), "cursor": cursor, "limit": limit}
        return await self._core.post("/cgi-bin/externalcontact/batch/get_by_user", body)

    async def remark(
        self,
        userid: str,
        external_userid: str,
        *,
        remark: str | None = None,
        description: str | None = None,
        remark_company: str | None = None,
        remark_mobiles: Sequence[str] | None = None,
        remark_pic_mediaid: str | None = None,
    ) -> JSONDict:
        """Edit a member's remark on a customer (remark ≤20 chars, description ≤150).

        https://developer.work.weixin.qq.com/document/path/92115
        """
        check_chars("remark", remark, 20)
        check_chars("description", description, 150)
        check_chars("remark_company", remark_company, 20)
        body: dict[str, Any] = {"userid": userid, "external_userid": external_userid}
        optional = {
            "remark": remark,
            "description": description,
            "remark_company": remark_company,
            "remark_pic_mediaid": remark_pic_mediaid,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        if remark_mobiles is not None:
            for i, mobile in enumerate(remark_mobiles):
                check_bytes(f"remark_mobiles[{i}]", mobile, 32)
            body["remark_mobiles"] = list(remark_mobiles)
        return await self._core.post("/cgi-bin/externalcontact/remark", body)
