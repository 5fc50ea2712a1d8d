"""Drafts and publishing (发布), which does not push to followers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shequn.wechat.errors.validation import check_chars, check_count, check_range
from shequn.wechat.http import APIArea, JSONDict


def check_article(article: Mapping[str, Any], where: str = "article") -> None:
    check_chars(f"{where}.title", article.get("title"), 32, minimum=1)
    check_chars(f"{where}.author", article.get("author"), 16)
    check_chars(f"{where}.digest", article.get("digest"), 128)
    check_chars(f"{where}.content", article.get("content"), 19_999, minimum=1)


class DraftsAPI(APIArea):
    async def add(self, articles: Sequence[Mapping[str, Any]]) -> str:
        """Returns the draft's media_id.

        https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_draft_add
        """
        check_count("articles", articles, 8, minimum=1)
        for i, article in enumerate(articles):
            check_article(article, f"articles[{i}]")
        data = await self._core.post("/cgi-bin/draft/add", {"articles": list(articles)})
        return str(data["media_id"])

    async def get(self, media_id: str) -> JSONDict:
        """https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_getdraft"""
        return await self._core.post("/cgi-bin/draft/get", {"media_id": media_id})

    async def update(self, media_id: str, index: int, article: Mapping[str, Any]) -> JSONDict:
        """Replace article `index` (0-based) of a draft.

        https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Update_draft.html
        """
        check_article(article)
        body = {"media_id": media_id, "index": index, "articles": dict(article)}
        return await self._core.post("/cgi-bin/draft/update", body)

    async def delete(self, media_id: str) -> JSONDict:
        """https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Delete_draft.html"""
        return await self._core.post("/cgi-bin/draft/delete", {"media_id": media_id})

    async def count(self) -> int:
        """https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Count_drafts.html"""
        data = await self._core.get("/cgi-bin/draft/count")
        return int(data.get("total_count", 0))

    async def batch_get(
        self, offset: int = 0, count: int = 20, *, no_content: bool = False
    ) -> JSONDict:
        """https://developers.weixin.qq.com/doc/offiaccount/Draft_Box/Get_draft_list.html"""
        check_range("count", count, 1, 20)
        body = {"offset": offset, "count": count, "no_content": int(no_content)}
        return await self._core.post("/cgi-bin/draft/batchget", body)


class PublishingAPI(APIArea):
    async def submit(self, media_id: str) -> JSONDict:
        """Publish a draft; returns {"publish_id", "msg_data_id"}, outcome via PUBLISHJOBFINISH.

        https://developers.weixin.qq.com/doc/offiaccount/Publish/Publish.html
        """
        return await self._core.post("/cgi-bin/freepublish/submit", {"media_id": media_id})

    async def status(self, publish_id: str) -> JSONDict:
        """publish_status 0 success, 1 publishing, 2-6 failures.

        https://developers.weixin.qq.com/doc/service/api/public/api_freepublish_get
        """
        return await self._core.post("/cgi-bin/freepublish/get", {"publish_id": publish_id})

    async def delete(self, article_id: str, index: int = 0) -> JSONDict:
        """Delete a published article; `index` is 1-based, 0 deletes the whole post.

        https://developers.weixin.qq.com/doc/offiaccount/Publish/Delete_posts.html
        """
        body = {"article_id": article_id, "index": index}
        return await self._core.post("/cgi-bin/freepublish/delete", body)

    async def batch_get(
        self, offset: int = 0, count: int = 20, *, no_content: bool = False
    ) -> JSONDict:
        """https://developers.weixin.qq.com/doc/offiaccount/Publish/Get_publication_records.html"""
        check_range("count", count, 1, 20)
        body = {"offset": offset, "count": count, "no_content": int(no_content)}
        return await self._core.post("/cgi-bin/freepublish/batchget", body)

    async def get_article(self, article_id: str) -> JSONDict:
        """https://developers.weixin.qq.com/doc/offiaccount/Publish/Get_article_from_id.html"""
        return await self._core.post("/cgi-bin/freepublish/getarticle", {"article_id": article_id})
