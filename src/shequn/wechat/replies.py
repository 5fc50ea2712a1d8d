"""Passive replies: the XML an official account returns in the HTTP response to a push.

Build one from the inbound message (`TextReply.to(message, content="hi")` swaps the user and
account ids) or with explicit ids, then `render()` (plaintext mode) or
`render_encrypted(crypto, timestamp, nonce)` (safe mode). To answer nothing, return `SUCCESS`
(or `EMPTY`); WeChat then neither retries nor shows anything, and no encryption is needed.
Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from shequn.wechat.crypto import MessageCrypto
from shequn.wechat.messages.base import InboundMessage
from shequn.wechat.xmlsafe import render_xml

__all__ = [
    "EMPTY",
    "MAX_NEWS_ARTICLES",
    "SUCCESS",
    "Article",
    "ImageReply",
    "MusicReply",
    "NewsReply",
    "Reply",
    "TextReply",
    "TransferCustomerServiceReply",
    "VideoReply",
    "VoiceReply",
]

SUCCESS = "success"
EMPTY = ""
# The current docs allow 8 articles for event replies; replies to a user message show only one.
MAX_NEWS_ARTICLES = 8


def _now() -> int:
    return int(time.time())


def _required(value: str, name: str) -> None:
    if not value:
        raise ValueError(f"{name} is required")


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """Common header: `to_user` is the follower's OpenID, `from_user` the account's gh_ id."""

    msg_type: ClassVar[str] = ""

    to_user: str
    from_user: str
    create_time: int = field(default_factory=_now)

    @classmethod
    def to(cls, message: InboundMessage, /, **fields: Any) -> Self:
        """A reply to `message`: its sender becomes the recipient and vice versa."""
        return cls(to_user=message.from_user, from_user=message.to_user, **fields)

    def _body(self) -> dict[str, Any]:
        return {}

    def as_fields(self) -> dict[str, Any]:
        """The reply as the mapping `render_xml` serialises (and `parse_xml` reads back)."""
        return {
            "ToUserName": self.to_user,
            "FromUserName": self.from_user,
            "CreateTime": self.create_time,
            "MsgType": self.msg_type,
            **self._body(),
        }

    def render(self) -> str:
        """Plaintext-mode response body."""
        return render_xml(self.as_fields())

    def render_encrypted(
        self,
        crypto: MessageCrypto,
        timestamp: str,
        nonce: str,
        *,
        use_previous_key: bool = False,
    ) -> str:
        """Safe-mode response body: the encrypted envelope around `render()`.

        Pass `use_previous_key=True` when the request only decrypted with the previous key.
        """
        return crypto.encrypt_envelope(
            self.render(), timestamp=timestamp, nonce=nonce, use_previous_key=use_previous_key
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TextReply(Reply):
    """Text; newlines and `<a href>` links render in the chat."""

    msg_type: ClassVar[str] = "text"
    content: str

    def __post_init__(self) -> None:
        _required(self.content, "content")

    def _body(self) -> dict[str, Any]:
        return {"Content": self.content}


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageReply(Reply):
    msg_type: ClassVar[str] = "image"
    media_id: str

    def __post_init__(self) -> None:
        _required(self.media_id, "media_id")

    def _body(self) -> dict[str, Any]:
        return {"Image": {"MediaId": self.media_id}}


@dataclass(frozen=True, slots=True, kw_only=True)
class VoiceReply(Reply):
    msg_type: ClassVar[str] = "voice"
    media_id: str

    def __post_init__(self) -> None:
        _required(self.media_id, "media_id")

    def _body(self) -> dict[str, Any]:
        return {"Voice": {"MediaId": self.media_id}}


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoReply(Reply):
    msg_type: ClassVar[str] = "video"
    media_id: str
    title: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        _required(self.media_id, "media_id")

    def _body(self) -> dict[str, Any]:
        return {
            "Video": {
                "MediaId": self.media_id,
                "Title": self.title or None,
                "Description": self.description or None,
            }
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class MusicReply(Reply):
    """Music card; `hq_music_url` is preferred on Wi-Fi. The thumbnail is required."""

    msg_type: ClassVar[str] = "music"
    thumb_media_id: str
    title: str = ""
    description: str = ""
    music_url: str = ""
    hq_music_url: str = ""

    def __post_init__(self) -> None:
        _required(self.thumb_media_id, "thumb_media_id")

    def _body(self) -> dict[str, Any]:
        return {
            "Music": {
                "Title": self.title or None,
                "Description": self.description or None,
                "MusicUrl": self.music_url or None,
                "HQMusicUrl": self.hq_music_url or None,
                "ThumbMediaId": self.thumb_media_id,
            }
        }


@dataclass(frozen=True, slots=True)
class Article:
    """One news item: the first is shown large (360x200), others small (200x200)."""

    title: str
    description: str = ""
    pic_url: str = ""
    url: str = ""

    def as_fields(self) -> dict[str, Any]:
        return {
            "Title": self.title,
            "Description": self.description,
            "PicUrl": self.pic_url,
            "Url": self.url,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class NewsReply(Reply):
    """1 to 8 articles. WeChat shows only the first when replying to a user's message."""

    msg_type: ClassVar[str] = "news"
    articles: tuple[Article, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.articles) <= MAX_NEWS_ARTICLES:
            raise ValueError(
                f"a news reply needs 1 to {MAX_NEWS_ARTICLES} articles, got {len(self.articles)}"
            )

    def _body(self) -> dict[str, Any]:
        return {
            "ArticleCount": len(self.articles),
            "Articles": {"item": [article.as_fields() for article in self.articles]},
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferCustomerServiceReply(Reply):
    """Hand the message to the customer-service system, optionally to one agent."""

    msg_type: ClassVar[str] = "transfer_customer_service"
    kf_account: str = ""

    def _body(self) -> dict[str, Any]:
        if not self.kf_account:
            return {}
        return {"TransInfo": {"KfAccount": self.kf_account}}
