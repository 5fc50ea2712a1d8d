"""Temporary media, permanent materials and article-body images."""

from __future__ import annotations

import json
from typing import Literal

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.errors.validation import check_range
from shequn.wechat.http import APIArea, JSONDict, MediaFile

MediaType = Literal["image", "voice", "video", "thumb"]
MaterialType = Literal["image", "video", "voice", "news"]

# Conservative caps: pages disagree (1/2/10 MB for images), so the smallest documented wins.
_MAX_BYTES: dict[str, int] = {
    "image": 10 * 1024 * 1024,
    "voice": 2 * 1024 * 1024,
    "video": 10 * 1024 * 1024,
    "thumb": 64 * 1024,
}


def _check_size(media_type: str, content: bytes) -> None:
    limit = _MAX_BYTES[media_type]
    if len(content) > limit:
        raise InvalidRequest("media", f"{media_type} is at most {limit} bytes, got {len(content)}")
    if not content:
        raise InvalidRequest("media", "empty file")


class MediaAPI(APIArea):
    async def upload(
        self, media_type: MediaType, filename: str, content: bytes, content_type: str
    ) -> JSONDict:
        """Temporary media (3 days); returns {"type", "media_id", "created_at"}.

        For thumbs WeChat may name the id `thumb_media_id`; it is copied to `media_id`.
        https://developers.weixin.qq.com/doc/service/api/material/temporary/api_uploadtempmedia
        """
        _check_size(media_type, content)
        data = await self._core.upload(
            "/cgi-bin/media/upload",
            {"media": (filename, content, content_type)},
            params={"type": media_type},
        )
        if "media_id" not in data and "thumb_media_id" in data:
            data["media_id"] = data["thumb_media_id"]
        return data

    async def get(self, media_id: str) -> MediaFile | JSONDict:
        """The file, or for videos JSON {"video_url"}.

        https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Get_temporary_materials.html
        """
        return await self._core.request(
            "GET", "/cgi-bin/media/get", params={"media_id": media_id}, accept_file=True
        )

    async def upload_image(self, filename: str, content: bytes, content_type: str) -> str:
        """An image for article bodies (JPG/PNG <1 MB); returns its URL.

        https://developers.weixin.qq.com/doc/service/api/material/permanent/api_addmaterial
        """
        if len(content) >= 1024 * 1024:
            raise InvalidRequest("media", "article images must be smaller than 1 MB")
        data = await self._core.upload(
            "/cgi-bin/media/uploadimg", {"media": (filename, content, content_type)}
        )
        return str(data["url"])


class MaterialsAPI(APIArea):
    async def add(
        self,
        media_type: MediaType,
        filename: str,
        content: bytes,
        content_type: str,
        *,
        title: str | None = None,
        introduction: str | None = None,
    ) -> JSONDict:
        """A permanent material; videos need a title. Returns {"media_id", "url"?}.

        https://developers.weixin.qq.com/doc/service/api/material/permanent/api_addmaterial
        """
        _check_size(media_type, content)
        form: dict[str, str] | None = None
        if media_type == "video":
            if not title:
                raise InvalidRequest("title", "required for video materials")
            description = {"title": title, "introduction": introduction or ""}
            form = {"description": json.dumps(description, ensure_ascii=False)}
        return await self._core.upload(
            "/cgi-bin/material/add_material",
            {"media": (filename, content, content_type)},
            params={"type": media_type},
            data=form,
        )

    async def get(self, media_id: str) -> MediaFile | JSONDict:
        """Bytes for image/voice/thumb; JSON for news and video ({title, description, down_url}).

        https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Getting_Permanent_Assets.html
        """
        return await self._core.request(
            "POST",
            "/cgi-bin/material/get_material",
            json_body={"media_id": media_id},
            accept_file=True,
        )

    async def delete(self, media_id: str) -> JSONDict:
        """48005 if an auto-reply or menu still uses it.

        https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Deleting_Permanent_Assets.html
        """
        return await self._core.post("/cgi-bin/material/del_material", {"media_id": media_id})

    async def count(self) -> JSONDict:
        """{voice_count, video_count, image_count, news_count}.

        https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Get_the_total_of_all_materials.html
        """
        return await self._core.get("/cgi-bin/material/get_materialcount")

    async def batch_get(
        self, material_type: MaterialType, offset: int = 0, count: int = 20
    ) -> JSONDict:
        """https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Get_materials_list.html"""
        check_range("count", count, 1, 20)
        check_range("offset", offset, 0, 2**31 - 1)
        body = {"type": material_type, "offset": offset, "count": count}
        return await self._core.post("/cgi-bin/material/batchget_material", body)
