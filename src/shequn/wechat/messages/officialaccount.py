"""Ordinary messages a follower sends to an official account (MsgType other than `event`)."""

from __future__ import annotations

from dataclasses import dataclass

from shequn.wechat.messages.base import InboundMessage, integer, number, register, text

__all__ = [
    "ImageMessage",
    "LinkMessage",
    "LocationMessage",
    "ShortVideoMessage",
    "TextMessage",
    "UserMessage",
    "VideoMessage",
    "VoiceMessage",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class UserMessage(InboundMessage):
    """Fields shared by ordinary messages.

    `msg_data_id`/`idx` are set when the message was sent from an article (its data id and the
    1-based article index).
    """

    msg_id: str = text("MsgId")
    msg_data_id: str = text("MsgDataId")
    idx: int | None = integer("Idx")

    @property
    def dedupe_key(self) -> str:
        # MsgId has collided across users, so the sender is part of the key.
        if self.msg_id:
            return self._key("msg", self.from_user, self.msg_id)
        return self._key("msg", self.from_user, str(self.create_time), self.msg_type)


@register("text")
@dataclass(frozen=True, slots=True, kw_only=True)
class TextMessage(UserMessage):
    """Text message. Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html"""

    content: str = text("Content")


@register("image")
@dataclass(frozen=True, slots=True, kw_only=True)
class ImageMessage(UserMessage):
    """Image message; download `media_id` within 3 days. Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html"""

    pic_url: str = text("PicUrl")
    media_id: str = text("MediaId")


@register("voice")
@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceMessage(UserMessage):
    """Voice message; `recognition` is WeChat's (retiring) speech-to-text and often empty.

    Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
    """

    media_id: str = text("MediaId")
    format: str = text("Format")
    recognition: str = text("Recognition")


@register("video")
@dataclass(frozen=True, slots=True, kw_only=True)
class VideoMessage(UserMessage):
    """Video message. Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html"""

    media_id: str = text("MediaId")
    thumb_media_id: str = text("ThumbMediaId")


@register("shortvideo")
@dataclass(frozen=True, slots=True, kw_only=True)
class ShortVideoMessage(UserMessage):
    """Short video message. Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html"""

    media_id: str = text("MediaId")
    thumb_media_id: str = text("ThumbMediaId")


@register("location")
@dataclass(frozen=True, slots=True, kw_only=True)
class LocationMessage(UserMessage):
    """A location the user chose to send. Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html"""

    location_x: float | None = number("Location_X")
    location_y: float | None = number("Location_Y")
    scale: int | None = integer("Scale")
    label: str = text("Label")

    @property
    def latitude(self) -> float | None:
        return self.location_x

    @property
    def longitude(self) -> float | None:
        return self.location_y


@register("link")
@dataclass(frozen=True, slots=True, kw_only=True)
class LinkMessage(UserMessage):
    """A shared link. Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html"""

    title: str = text("Title")
    description: str = text("Description")
    url: str = text("Url")
