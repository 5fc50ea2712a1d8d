"""Corp customer tags (企业客户标签) and tagging of follow relationships."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.errors.validation import check_chars, check_range
from shequn.wechat.http import APIArea, JSONDict

_MAX_ORDER = 2**32 - 1


class CorpTagsAPI(APIArea):
    """https://developer.work.weixin.qq.com/document/path/92117"""

    async def list(
        self, tag_ids: Sequence[str] = (), group_ids: Sequence[str] = ()
    ) -> list[JSONDict]:
        """Tag groups with their tags (all when both filters are empty).

        https://developer.work.weixin.qq.com/document/path/92117
        """
        body = {"tag_id": list(tag_ids), "group_id": list(group_ids)}
        data = await self._core.post("/cgi-bin/externalcontact/get_corp_tag_list", body)
        groups: list[JSONDict] = data.get("tag_group", [])
        return groups

    async def add(
        self,
        tags: Sequence[str | tuple[str, int]],
        *,
        group_id: str | None = None,
        group_name: str | None = None,
        order: int | None = None,
        agentid: int | None = None,
    ) -> JSONDict:
        """Add tags to a group (by id, or by name, creating it); names ≤30 chars.

        https://developer.work.weixin.qq.com/document/path/92117
        """
        if not tags:
            raise InvalidRequest("tag", "a group cannot be empty")
        if group_id is None and not group_name:
            raise InvalidRequest("group_name", "give group_id or group_name")
        check_chars("group_name", group_name, 30)
        check_range("order", order, 0, _MAX_ORDER)
        entries: list[dict[str, Any]] = []
        for i, tag in enumerate(tags):
            name, tag_order = (tag, None) if isinstance(tag, str) else tag
            check_chars(f"tag[{i}].name", name, 30, minimum=1)
            check_range(f"tag[{i}].order", tag_order, 0, _MAX_ORDER)
            entries.append(
                {"name": name} if tag_order is None else {"name": name, "order": tag_order}
            )
        body: dict[str, Any] = {"tag": entries}
        optional = {
            "group_id": group_id,
            "group_name": group_name,
            "order": order,
            "agentid": agentid,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        data = await self._core.post("/cgi-bin/externalcontact/add_corp_tag", body)
        group: JSONDict = data.get("tag_group", {})
        return group

    async def edit(
        self, tag_or_group_id: str, *, name: str | None = None, order: int | None = None
    ) -> JSONDict:
        """https://developer.work.weixin.qq.com/document/path/92117"""
        check_chars("name", name, 30, minimum=1)
        check_range("order", order, 0, _MAX_ORDER)
        body: dict[str, Any] = {"id": tag_or_group_id}
        if name is not None:
            body["name"] = name
        if order is not None:
            body["order"] = order
        return await self._core.post("/cgi-bin/externalcontact/edit_corp_tag", body)

    async def delete(self, tag_ids: Sequence[str] = (), group_ids: Sequence[str] = ()) -> JSONDict:
        """Deleting every tag of a group deletes the group.

        https://developer.work.weixin.qq.com/document/path/92117
        """
        if not tag_ids and not group_ids:
            raise InvalidRequest("tag_id", "give tag ids or group ids")
        body = {"tag_id": list(tag_ids), "group_id": list(group_ids)}
        return await self._core.post("/cgi-bin/externalcontact/del_corp_tag", body)

    async def mark(
        self,
        userid: str,
        external_userid: str,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
    ) -> JSONDict:
        """Tag or untag the relationship between a member and a customer.

        https://developer.work.weixin.qq.com/document/path/92118
        """
        if not add and not remove:
            raise InvalidRequest("add_tag", "give tags to add or remove")
        body = {
            "userid": userid,
            "external_userid": external_userid,
            "add_tag": list(add),
            "remove_tag": list(remove),
        }
        return await self._core.post("/cgi-bin/externalcontact/mark_tag", body)
