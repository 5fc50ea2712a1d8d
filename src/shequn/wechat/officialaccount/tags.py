"""User tags and tagging."""

from __future__ import annotations

from collections.abc import Sequence

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.errors.validation import check_chars, check_count
from shequn.wechat.http import APIArea, JSONDict

_RESERVED_TAG_IDS = frozenset({0, 1, 2})


class TagsAPI(APIArea):
    """https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html"""

    async def create(self, name: str) -> JSONDict:
        """Create a tag (≤100 per account, name ≤30 chars); returns {"id", "name"}.

        https://developers.weixin.qq.com/doc/subscription/api/usermanage/tag/api_createtag
        """
        check_chars("name", name, 30, minimum=1)
        data = await self._core.post("/cgi-bin/tags/create", {"tag": {"name": name}})
        tag: JSONDict = data["tag"]
        return tag

    async def get(self) -> list[JSONDict]:
        """All tags with their fan counts.

        https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
        """
        data = await self._core.get("/cgi-bin/tags/get")
        tags: list[JSONDict] = data.get("tags", [])
        return tags

    async def update(self, tag_id: int, name: str) -> JSONDict:
        """Rename a tag; system tags 0/1/2 cannot be changed (45058).

        https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
        """
        _check_not_reserved(tag_id)
        check_chars("name", name, 30, minimum=1)
        return await self._core.post("/cgi-bin/tags/update", {"tag": {"id": tag_id, "name": name}})

    async def delete(self, tag_id: int) -> JSONDict:
        """Delete a tag (45057 while more than 100,000 fans carry it).

        https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html
        """
        _check_not_reserved(tag_id)
        return await self._core.post("/cgi-bin/tags/delete", {"tag": {"id": tag_id}})

    async def batch_tag(self, tag_id: int, openids: Sequence[str]) -> JSONDict:
        """Tag up to 50 users.

        https://developers.weixin.qq.com/doc/service/api/usermanage/tag/api_batchtagging
        """
        check_count("openid_list", openids, 50, minimum=1)
        body = {"openid_list": list(openids), "tagid": tag_id}
        return await self._core.post("/cgi-bin/tags/members/batchtagging", body)

    async def batch_untag(self, tag_id: int, openids: Sequence[str]) -> JSONDict:
        """Untag up to 50 users.

        https://developers.weixin.qq.com/doc/service/api/usermanage/tag/api_batchtagging
        """
        check_count("openid_list", openids, 50, minimum=1)
        body = {"openid_list": list(openids), "tagid": tag_id}
        return await self._core.post("/cgi-bin/tags/members/batchuntagging", body)

    async def tags_of_user(self, openid: str) -> list[int]:
        """https://developers.weixin.qq.com/doc/service/api/usermanage/tag/api_gettagidlist"""
        data = await self._core.post("/cgi-bin/tags/getidlist", {"openid": openid})
        return [int(t) for t in data.get("tagid_list", [])]

    async def users_of_tag(self, tag_id: int, next_openid: str = "") -> JSONDict:
        """One page of a tag's fans: {"count", "data": {"openid": [...]}, "next_openid"}.

        https://developers.weixin.qq.com/doc/service/api/usermanage/tag/api_gettagfans
        """
        body = {"tagid": tag_id, "next_openid": next_openid}
        return await self._core.post("/cgi-bin/user/tag/get", body)


def _check_not_reserved(tag_id: int) -> None:
    if tag_id in _RESERVED_TAG_IDS:
        raise InvalidRequest("tag.id", "tags 0, 1 and 2 are reserved by the platform")
