"""Events pushed to an official account (MsgType `event`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shequn.wechat.messages.base import (
    InboundMessage,
    child_float,
    child_int,
    child_text,
    mapping_of,
    nested,
    number,
    register,
    text,
)
from shequn.wechat.xmlsafe import as_list

__all__ = [
    "ClickEvent",
    "LocationEvent",
    "LocationSelectEvent",
    "MenuEvent",
    "PicPhotoOrAlbumEvent",
    "PicSysPhotoEvent",
    "PicWeixinEvent",
    "ScanCodePushEvent",
    "ScanCodeWaitMsgEvent",
    "ScanEvent",
    "SubscribeEvent",
    "UnsubscribeEvent",
    "ViewEvent",
    "ViewMiniprogramEvent",
]

_QR_PREFIX = "qrscene_"


# -- follow / scan / location --------------------------------------------------------------


@register("event", "subscribe")
@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribeEvent(InboundMessage):
    """A user followed the account; via a parametric QR code `event_key` is `qrscene_<scene>`.

    Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html
    """

    event_key: str = text("EventKey")
    ticket: str = text("Ticket")

    @property
    def is_from_qr_code(self) -> bool:
        return self.event_key.startswith(_QR_PREFIX)

    @property
    def scene_key(self) -> str:
        """The QR scene value without the `qrscene_` prefix ("" for a plain follow)."""
        return self.event_key[len(_QR_PREFIX) :] if self.is_from_qr_code else ""


@register("event", "unsubscribe")
@dataclass(frozen=True, slots=True, kw_only=True)
class UnsubscribeEvent(InboundMessage):
    """A user unfollowed. Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html"""


@register("event", "SCAN")
@dataclass(frozen=True, slots=True, kw_only=True)
class ScanEvent(InboundMessage):
    """A follower scanned a parametric QR code; `event_key` is the scene without prefix.

    Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html
    """

    event_key: str = text("EventKey")
    ticket: str = text("Ticket")

    @property
    def scene_key(self) -> str:
        return self.event_key

    @property
    def dedupe_key(self) -> str:
        return self._key("event", self.from_user, str(self.create_time), "scan", self.ticket)


@register("event", "LOCATION")
@dataclass(frozen=True, slots=True, kw_only=True)
class LocationEvent(InboundMessage):
    """The user's reported position (on entering the chat or periodically).

    Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html
    """

    latitude: float | None = number("Latitude")
    longitude: float | None = number("Longitude")
    precision: float | None = number("Precision")


# -- menus ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MenuEvent(InboundMessage):
    """Common base of custom-menu events: `event_key` is the button's key (or URL/path)."""

    event_key: str = text("EventKey")

    @property
    def dedupe_key(self) -> str:
        return self._key("event", self.from_user, str(self.create_time), self.event, self.event_key)


@register("event", "CLICK")
@dataclass(frozen=True, slots=True, kw_only=True)
class ClickEvent(MenuEvent):
    """A `click` menu button. Docs: https://developers.weixin.qq.com/doc/service/guide/product/menu/Custom_Menu_Push_Events.html"""


@register("event", "VIEW")
@dataclass(frozen=True, slots=True, kw_only=True)
class ViewEvent(MenuEvent):
    """A `view` menu button opened `event_key` (the URL); `menu_id` tells which menu.

    Docs: https://developers.weixin.qq.com/doc/service/guide/product/menu/Custom_Menu_Push_Events.html
    """

    menu_id: str = text("MenuId")

    @property
    def url(self) -> str:
        return self.event_key


@dataclass(frozen=True, slots=True, kw_only=True)
class _ScanCodeEvent(MenuEvent):
    scan_type: str = nested("ScanCodeInfo", lambda v: child_text(v, "ScanType"), "")
    scan_result: str = nested("ScanCodeInfo", lambda v: child_text(v, "ScanResult"), "")


@register("event", "scancode_push")
@dataclass(frozen=True, slots=True, kw_only=True)
class ScanCodePushEvent(_ScanCodeEvent):
    """Menu scan whose result WeChat also shows. Docs: https://developers.weixin.qq.com/doc/service/guide/product/menu/Custom_Menu_Push_Events.html"""


@register("event", "scancode_waitmsg")
@dataclass(frozen=True, slots=True, kw_only=True)
class ScanCodeWaitMsgEvent(_ScanCodeEvent):
    """Menu scan that waits for our reply. Docs: https://developers.weixin.qq.com/doc/service/guide/product/menu/Custom_Menu_Push_Events.html"""


def _pic_md5s(value: Any) -> tuple[str, ...]:
    pic_list = mapping_of(mapping_of(value).get("PicList", ""))
    return tuple(child_text(item, "PicMd5Sum") for item in as_list(pic_list.get("item")))


@dataclass(frozen=True, slots=True, kw_only=True)
class _PicEvent(MenuEvent):
    count: int | None = nested("SendPicsInfo", lambda v: child_int(v, "Count"), None)
    pic_md5_sums: tuple[str, ...] = nested("SendPicsInfo", _pic_md5s, ())


@register("event", "pic_sysphoto")
@dataclass(frozen=True, slots=True, kw_only=True)
class PicSysPhotoEvent(_PicEvent):
    """Menu: take a photo; the photos follow as image messages. Docs: https://developers.weixin.qq.com/doc/service/guide/product/menu/Custom_Menu_Push_Events.html"""


@register("event", "pic_photo_or_album")
@dataclass(frozen=True, slots=True, kw_only=True)
class PicPhotoOrAlbumEvent(_PicEvent):
    """Menu: photo or album. Docs: https://developers.weixin.qq.com/doc/service/guide/product/menu/Custom_Menu_Push_Events.html"""


@register("event", "pic_weixin")
@dataclass(frozen=True, slots=True, kw_only=True)
class PicWeixinEvent(_PicEvent):
    """Menu: WeChat album. Docs: https://developers.weixin.qq.com/doc/service/guide/product/menu/Custom_Menu_Push_Events.html"""


@register("event", "location_select")
@dataclass(frozen=True, slots=True, kw_only=True)
class LocationSelectEvent(MenuEvent):
    """Menu: the user picked a location. Docs: https://developers.weixin.qq.com/doc/service/guide/product/menu/Custom_Menu_Push_Events.html"""

    location_x: float | None = nested(
        "SendLocationInfo", lambda v: child_float(v, "Location_X"), None
    )
    location_y: float | None = nested(
        "SendLocationInfo", lambda v: child_float(v, "Location_Y"), None
    )
    scale: int | None = nested("SendLocationInfo", lambda v: child_int(v, "Scale"), None)
    label: str = nested("SendLocationInfo", lambda v: child_text(v, "Label"), "")
    poiname: str = nested("SendLocationInfo", lambda v: child_text(v, "Poiname"), "")

    @property
    def latitude(self) -> float | None:
        return self.location_x

    @property
    def longitude(self) -> float | None:
        return self.location_y


@register("event", "view_miniprogram")
@dataclass(frozen=True, slots=True, kw_only=True)
class ViewMiniprogramEvent(MenuEvent):
    """Menu: opened a mini-program page (`event_key` is the page path).

    Docs: https://developers.weixin.qq.com/doc/service/guide/product/menu/Custom_Menu_Push_Events.html
    """

    menu_id: str = text("MenuId")
