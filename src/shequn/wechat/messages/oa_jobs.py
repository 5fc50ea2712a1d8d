"""Result pushes for jobs an official account started: template, mass send, publishing,
subscription notifications. They can arrive in bursts; acknowledge them quickly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shequn.wechat.messages.base import (
    InboundMessage,
    child_int,
    child_text,
    integer,
    mapping_of,
    nested,
    register,
    text,
)
from shequn.wechat.xmlsafe import as_list

__all__ = [
    "ArticleUrl",
    "CopyrightCheck",
    "CopyrightCheckItem",
    "MassSendJobFinishEvent",
    "PublishJobFinishEvent",
    "PublishedArticle",
    "SubscribeMsgChangeEvent",
    "SubscribeMsgItem",
    "SubscribeMsgPopupEvent",
    "SubscribeMsgSentEvent",
    "SubscribeMsgSentItem",
    "TemplateSendJobFinishEvent",
]


@register("event", "TEMPLATESENDJOBFINISH")
@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateSendJobFinishEvent(InboundMessage):
    """Delivery result of one template message (`msg_id` as returned by template/send).

    Status is `success`, `failed:user block` or `failed: system failed`.
    Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
    """

    msg_id: str = text("MsgID")
    status: str = text("Status")

    @property
    def succeeded(self) -> bool:
        return self.status == "success"

    @property
    def dedupe_key(self) -> str:
        return self._key("event", self.event, self.msg_id or str(self.create_time))


@dataclass(frozen=True, slots=True)
class CopyrightCheckItem:
    """Originality-check verdict for one article of a mass send."""

    article_idx: int | None
    user_declare_state: int | None
    audit_state: int | None
    original_article_url: str
    original_article_type: int | None
    can_reprint: int | None
    need_replace_content: int | None
    need_show_reprint_source: int | None


@dataclass(frozen=True, slots=True)
class CopyrightCheck:
    """CheckState: 1 not a reprint, 2 reprint but sendable, 3 reprint and blocked."""

    count: int | None = None
    check_state: int | None = None
    items: tuple[CopyrightCheckItem, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleUrl:
    article_idx: int | None
    url: str


def _result_items(block: Any) -> list[Any]:
    return as_list(mapping_of(mapping_of(block).get("ResultList", "")).get("item"))


def _copyright_check(value: Any) -> CopyrightCheck:
    return CopyrightCheck(
        count=child_int(value, "Count"),
        check_state=child_int(value, "CheckState"),
        items=tuple(
            CopyrightCheckItem(
                article_idx=child_int(item, "ArticleIdx"),
                user_declare_state=child_int(item, "UserDeclareState"),
                audit_state=child_int(item, "AuditState"),
                original_article_url=child_text(item, "OriginalArticleUrl"),
                original_article_type=child_int(item, "OriginalArticleType"),
                can_reprint=child_int(item, "CanReprint"),
                need_replace_content=child_int(item, "NeedReplaceContent"),
                need_show_reprint_source=child_int(item, "NeedShowReprintSource"),
            )
            for item in _result_items(value)
        ),
    )


def _article_urls(value: Any) -> tuple[ArticleUrl, ...]:
    return tuple(
        ArticleUrl(child_int(item, "ArticleIdx"), child_text(item, "ArticleUrl"))
        for item in _result_items(value)
    )


_NO_COPYRIGHT_CHECK = CopyrightCheck()


@register("event", "MASSSENDJOBFINISH")
@dataclass(frozen=True, slots=True, kw_only=True)
class MassSendJobFinishEvent(InboundMessage):
    """Result of a mass send. Status `send success`, `send fail` or `err(N)`; the counts are
    taken when the job is nearly done, and both result blocks may be empty.

    Docs: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends_and_Originality_Checks.html
    """

    msg_id: str = text("MsgID")
    status: str = text("Status")
    total_count: int | None = integer("TotalCount")
    filter_count: int | None = integer("FilterCount")
    sent_count: int | None = integer("SentCount")
    error_count: int | None = integer("ErrorCount")
    # nested() returns a dataclass field() spec, not a shared mutable default.
    copyright_check: CopyrightCheck = nested(  # noqa: RUF009
        "CopyrightCheckResult", _copyright_check, _NO_COPYRIGHT_CHECK
    )
    article_urls: tuple[ArticleUrl, ...] = nested("ArticleUrlResult", _article_urls, ())

    @property
    def succeeded(self) -> bool:
        return self.status == "send success"

    @property
    def dedupe_key(self) -> str:
        return self._key("event", self.event, self.msg_id or str(self.create_time))


@dataclass(frozen=True, slots=True)
class PublishedArticle:
    idx: int | None
    article_url: str


def _published(value: Any) -> tuple[PublishedArticle, ...]:
    detail = mapping_of(mapping_of(value).get("article_detail", ""))
    return tuple(
        PublishedArticle(child_int(item, "idx"), child_text(item, "article_url"))
        for item in as_list(detail.get("item"))
    )


def _fail_idx(value: Any) -> tuple[int, ...]:
    # fail_idx repeats once per failed article; read each occurrence like a child element.
    occurrences = as_list(mapping_of(value).get("fail_idx"))
    parsed = (child_int({"fail_idx": raw}, "fail_idx") for raw in occurrences)
    return tuple(idx for idx in parsed if idx is not None)


@register("event", "PUBLISHJOBFINISH")
@dataclass(frozen=True, slots=True, kw_only=True)
class PublishJobFinishEvent(InboundMessage):
    """Result of freepublish/submit; `publish_status` 0 means published.

    Docs: https://developers.weixin.qq.com/community/minihome/doc/00000c2a54c2a83059ecb9ba056c00
    """

    publish_id: str = nested("PublishEventInfo", lambda v: child_text(v, "publish_id"), "")
    publish_status: int | None = nested(
        "PublishEventInfo", lambda v: child_int(v, "publish_status"), None
    )
    article_id: str = nested("PublishEventInfo", lambda v: child_text(v, "article_id"), "")
    articles: tuple[PublishedArticle, ...] = nested("PublishEventInfo", _published, ())
    fail_idx: tuple[int, ...] = nested("PublishEventInfo", _fail_idx, ())

    @property
    def succeeded(self) -> bool:
        return self.publish_status == 0

    @property
    def dedupe_key(self) -> str:
        return self._key("event", self.event, self.publish_id or str(self.create_time))


@dataclass(frozen=True, slots=True)
class SubscribeMsgItem:
    """One template in a subscription-notification decision: status `accept` or `reject`;
    popup_scene 1 = H5 page, 2 = article (popup events only)."""

    template_id: str
    status: str
    popup_scene: int | None = None


def _subscribe_items(value: Any) -> tuple[SubscribeMsgItem, ...]:
    return tuple(
        SubscribeMsgItem(
            template_id=child_text(item, "TemplateId"),
            status=child_text(item, "SubscribeStatusString"),
            popup_scene=child_int(item, "PopupScene"),
        )
        for item in as_list(mapping_of(value).get("List"))
    )


@register("event", "subscribe_msg_popup_event")
@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribeMsgPopupEvent(InboundMessage):
    """The user answered a subscription-notification prompt, one item per template.

    Docs: https://developers.weixin.qq.com/doc/service/guide/product/subscription_messages/push.html
    """

    items: tuple[SubscribeMsgItem, ...] = nested("SubscribeMsgPopupEvent", _subscribe_items, ())


@register("event", "subscribe_msg_change_event")
@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribeMsgChangeEvent(InboundMessage):
    """The user changed notification settings (status `reject`).

    The doc sample wraps the list in SubscribeMsgPopupEvent, SDKs expect SubscribeMsgChangeEvent;
    both are read. Docs: https://developers.weixin.qq.com/doc/service/guide/product/subscription_messages/push.html
    """

    change_items: tuple[SubscribeMsgItem, ...] = nested(
        "SubscribeMsgChangeEvent", _subscribe_items, ()
    )
    popup_items: tuple[SubscribeMsgItem, ...] = nested(
        "SubscribeMsgPopupEvent", _subscribe_items, ()
    )

    @property
    def items(self) -> tuple[SubscribeMsgItem, ...]:
        return self.change_items or self.popup_items


@dataclass(frozen=True, slots=True)
class SubscribeMsgSentItem:
    """Delivery of one subscription notification (ErrorCode 0 = delivered)."""

    template_id: str
    msg_id: str
    error_code: int | None
    error_status: str


def _sent_items(value: Any) -> tuple[SubscribeMsgSentItem, ...]:
    return tuple(
        SubscribeMsgSentItem(
            template_id=child_text(item, "TemplateId"),
            msg_id=child_text(item, "MsgID"),
            error_code=child_int(item, "ErrorCode"),
            error_status=child_text(item, "ErrorStatus"),
        )
        for item in as_list(mapping_of(value).get("List"))
    )


@register("event", "subscribe_msg_sent_event")
@dataclass(frozen=True, slots=True, kw_only=True)
class SubscribeMsgSentEvent(InboundMessage):
    """Result of subscribe/bizsend. Docs: https://developers.weixin.qq.com/doc/service/guide/product/subscription_messages/push.html"""

    items: tuple[SubscribeMsgSentItem, ...] = nested("SubscribeMsgSentEvent", _sent_items, ())

    @property
    def dedupe_key(self) -> str:
        ids = ",".join(item.msg_id for item in self.items)
        return self._key("event", self.from_user, str(self.create_time), self.event, ids)
