"""Parametric QR codes and their images."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shequn.wechat.endpoints import MP_WEB
from shequn.wechat.errors import InvalidRequest, MalformedResponse
from shequn.wechat.errors.validation import check_chars, check_range
from shequn.wechat.http import APIArea, APICore, MediaFile

MAX_TEMPORARY_SECONDS = 2_592_000
MAX_PERMANENT_SCENE_ID = 100_000
_UINT32_MAX = 2**32 - 1


@dataclass(frozen=True)
class QRCodeTicket:
    ticket: str
    url: str
    expire_seconds: int | None


class QRCodesAPI(APIArea):
    """https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html"""

    def __init__(self, core: APICore, web_base_url: str = MP_WEB) -> None:
        super().__init__(core)
        self._web_base_url = web_base_url

    async def create_temporary(self, scene: int | str, expire_seconds: int) -> QRCodeTicket:
        """A temporary code (≤30 days). Integer scenes are non-zero 32-bit; strings 1-64 chars.

        https://developers.weixin.qq.com/doc/service/en/api/qrcode/qrcodes/api_createqrcode.html
        """
        check_range("expire_seconds", expire_seconds, 1, MAX_TEMPORARY_SECONDS)
        if isinstance(scene, int):
            check_range("scene_id", scene, 1, _UINT32_MAX)
            return await self._create("QR_SCENE", {"scene_id": scene}, expire_seconds)
        check_chars("scene_str", scene, 64, minimum=1)
        return await self._create("QR_STR_SCENE", {"scene_str": scene}, expire_seconds)

    async def create_permanent(self, scene: int | str) -> QRCodeTicket:
        """A permanent code (≤100,000 per account); integer scenes are 1-100,000.

        https://developers.weixin.qq.com/doc/service/en/api/qrcode/qrcodes/api_createqrcode.html
        """
        if isinstance(scene, int):
            check_range("scene_id", scene, 1, MAX_PERMANENT_SCENE_ID)
            return await self._create("QR_LIMIT_SCENE", {"scene_id": scene}, None)
        check_chars("scene_str", scene, 64, minimum=1)
        return await self._create("QR_LIMIT_STR_SCENE", {"scene_str": scene}, None)

    async def _create(
        self, action: str, scene: dict[str, Any], expire_seconds: int | None
    ) -> QRCodeTicket:
        # The "scene" wrapper is essential: without it WeChat silently creates scene 0.
        body: dict[str, Any] = {"action_name": action, "action_info": {"scene": scene}}
        if expire_seconds is not None:
            body["expire_seconds"] = expire_seconds
        data = await self._core.post("/cgi-bin/qrcode/create", body)
        expires = data.get("expire_seconds")
        return QRCodeTicket(
            ticket=str(data["ticket"]),
            url=str(data.get("url", "")),
            expire_seconds=int(expires) if expires is not None else None,
        )

    async def image(self, ticket: str) -> MediaFile:
        """The QR image for a ticket (no token; served from the console host).

        https://developers.weixin.qq.com/doc/offiaccount/Account_Management/Generating_a_Parametric_QR_Code.html
        """
        if not ticket:
            raise InvalidRequest("ticket", "must not be empty")
        result = await self._core.request(
            "GET",
            "/cgi-bin/showqrcode",
            params={"ticket": ticket},
            auth=False,
            accept_file=True,
            base_url=self._web_base_url,
        )
        if not isinstance(result, MediaFile):
            raise MalformedResponse(None, "showqrcode answered JSON", path="/cgi-bin/showqrcode")
        return result
