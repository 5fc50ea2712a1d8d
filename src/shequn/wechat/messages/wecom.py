"""WeCom customer-contact events (self-built app format: ToUserName is the CorpID and
FromUserName is always `sys`). Operations done through the API produce no such events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from shequn.wechat.messages.base import (
    InboundMessage,
    Platform,
    integer,
    mapping_of,
    nested,
    register,
    text,
)
from shequn.wechat.xmlsafe import as_list

__all__ = [
    "AddExternalContactEvent",
    "AddHalfExternalContactEvent",
    "CustomerAcquisitionEvent",
    "DelExternalContactEvent",
    "DelFollowUserEvent",
    "EditExternalContactEvent",
    "ExternalChatCreateEvent",
    "ExternalChatDismissEvent",
    "ExternalChatEvent",
    "ExternalChatUpdateEvent",
    "ExternalContactEvent",
    "ExternalTagCreateEvent",
    "ExternalTagDeleteEvent",
    "ExternalTagEvent",
    "ExternalTagShuffleEvent",
    "ExternalTagUpdateEvent",
    "MsgAuditApprovedEvent",
    "TransferFailEvent",
    "WeComEvent",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class WeComEvent(InboundMessage):
    """Base of WeCom events; `change_type` refines `event`."""

    platform: ClassVar[Platform] = "wecom"
    change_type: str = text("ChangeType")


# -- change_external_contact ---------------------------------------------------------------


@register("event", "change_external_contact")
@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalContactEvent(WeComEvent):
    """A change between a staff member (`user_id`) and a customer (`external_user_id`);
    also the fallback for ChangeTypes without their own class.

    Docs: https://developer.work.weixin.qq.com/document/path/92130
    """

    user_id: str = text("UserID")
    external_user_id: str = text("ExternalUserID")

    @property
    def dedupe_key(self) -> str:
        return self._key(
            self.event,
            self.change_type,
            self.user_id,
            self.external_user_id,
            str(self.create_time),
        )


@register("event", "change_external_contact", "add_external_contact")
@dataclass(frozen=True, slots=True, kw_only=True)
class AddExternalContactEvent(ExternalContactEvent):
    """A staff member added a customer. `state` names the 「联系我」 way or acquisition-link
    channel; `welcome_code` (valid 20 s) is absent when a console welcome message applies.

    Docs: https://developer.work.weixin.qq.com/document/path/92130
    """

    state: str = text("State")
    welcome_code: str = text("WelcomeCode")


@register("event", "change_external_contact", "add_half_external_contact")
@dataclass(frozen=True, slots=True, kw_only=True)
class AddHalfExternalContactEvent(ExternalContactEvent):
    """A customer added a staff member through a skip-verification way; the staff member has
    not accepted yet. Docs: https://developer.work.weixin.qq.com/document/path/92130
    """

    state: str = text("State")
    welcome_code: str = text("WelcomeCode")


@register("event", "change_external_contact", "edit_external_contact")
@dataclass(frozen=True, slots=True, kw_only=True)
class EditExternalContactEvent(ExternalContactEvent):
    """A staff member edited the customer's remark or corp tags (in the client).

    Docs: https://developer.work.weixin.qq.com/document/path/92130
    """


@register("event", "change_external_contact", "del_external_contact")
@dataclass(frozen=True, slots=True, kw_only=True)
class DelExternalContactEvent(ExternalContactEvent):
    """A staff member deleted the customer; `source` is DELETE_BY_TRANSFER after an on-job
    transfer. Docs: https://developer.work.weixin.qq.com/document/path/92130
    """

    source: str = text("Source")

    @property
    def by_transfer(self) -> bool:
        return self.source == "DELETE_BY_TRANSFER"


@register("event", "change_external_contact", "del_follow_user")
@dataclass(frozen=True, slots=True, kw_only=True)
class DelFollowUserEvent(ExternalContactEvent):
    """The customer deleted or blocked the staff member.

    Docs: https://developer.work.weixin.qq.com/document/path/92130
    """


@register("event", "change_external_contact", "transfer_fail")
@dataclass(frozen=True, slots=True, kw_only=True)
class TransferFailEvent(ExternalContactEvent):
    """A customer transfer failed: `fail_reason` customer_refused or customer_limit_exceed.

    Docs: https://developer.work.weixin.qq.com/document/path/92130
    """

    fail_reason: str = text("FailReason")


@register("event", "change_external_contact", "msg_audit_approved")
@dataclass(frozen=True, slots=True, kw_only=True)
class MsgAuditApprovedEvent(ExternalContactEvent):
    """The customer agreed to chat archiving. Docs: https://developer.work.weixin.qq.com/document/path/92005"""

    welcome_code: str = text("WelcomeCode")


# -- change_external_chat ------------------------------------------------------------------


@register("event", "change_external_chat")
@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalChatEvent(WeComEvent):
    """A customer group changed; fallback for unmodelled ChangeTypes.

    Docs: https://developer.work.weixin.qq.com/document/path/92130
    """

    chat_id: str = text("ChatId")

    @property
    def dedupe_key(self) -> str:
        return self._key(self.event, self.change_type, self.chat_id, str(self.create_time))


@register("event", "change_external_chat", "create")
@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalChatCreateEvent(ExternalChatEvent):
    """A customer group was created. Docs: https://developer.work.weixin.qq.com/document/path/92130"""


@register("event", "change_external_chat", "dismiss")
@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalChatDismissEvent(ExternalChatEvent):
    """A customer group was dismissed. Docs: https://developer.work.weixin.qq.com/document/path/92130"""


def _member_ids(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        # Older pushes carried the ids as one comma-separated text instead of <Item> children.
        return tuple(part.strip() for part in value.split(",") if part.strip())
    items = as_list(mapping_of(value).get("Item"))
    if not all(isinstance(item, str) for item in items):
        raise TypeError("MemChangeList/Item must be text")
    return tuple(items)


@register("event", "change_external_chat", "update")
@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalChatUpdateEvent(ExternalChatEvent):
    """A customer group changed. `update_detail`: add_member, del_member, change_owner,
    change_name, change_notice. `join_scene` (add_member): 0 invited, 3 scanned the group QR
    code — not groupchat/get's encoding. `quit_scene` (del_member): 0 left, 1 removed.
    Compare `cur_mem_ver` with the stored member_version before re-fetching the group.

    Docs: https://developer.work.weixin.qq.com/document/path/92130
    """

    update_detail: str = text("UpdateDetail")
    join_scene: int | None = integer("JoinScene")
    quit_scene: int | None = integer("QuitScene")
    mem_change_cnt: int | None = integer("MemChangeCnt")
    mem_change_list: tuple[str, ...] = nested("MemChangeList", _member_ids, ())
    last_mem_ver: str = text("LastMemVer")
    cur_mem_ver: str = text("CurMemVer")

    @property
    def dedupe_key(self) -> str:
        return self._key(
            self.event,
            self.change_type,
            self.chat_id,
            self.update_detail,
            self.cur_mem_ver or str(self.create_time),
        )


# -- change_external_tag -------------------------------------------------------------------


@register("event", "change_external_tag")
@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalTagEvent(WeComEvent):
    """A corp tag or tag group (`tag_type` tag / tag_group) changed in the admin console or
    client; `strategy_id` is set for strategy tags.

    Docs: https://developer.work.weixin.qq.com/document/path/92130
    """

    tag_id: str = text("Id")
    tag_type: str = text("TagType")
    strategy_id: str = text("StrategyId")

    @property
    def dedupe_key(self) -> str:
        return self._key(
            self.event, self.change_type, self.tag_type, self.tag_id, str(self.create_time)
        )


@register("event", "change_external_tag", "create")
@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalTagCreateEvent(ExternalTagEvent):
    """Docs: https://developer.work.weixin.qq.com/document/path/92130"""


@register("event", "change_external_tag", "update")
@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalTagUpdateEvent(ExternalTagEvent):
    """Docs: https://developer.work.weixin.qq.com/document/path/92130"""


@register("event", "change_external_tag", "delete")
@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalTagDeleteEvent(ExternalTagEvent):
    """Docs: https://developer.work.weixin.qq.com/document/path/92130"""


@register("event", "change_external_tag", "shuffle")
@dataclass(frozen=True, slots=True, kw_only=True)
class ExternalTagShuffleEvent(ExternalTagEvent):
    """Tags were reordered; `tag_id` is the group whose tags moved (empty: groups reordered).

    Docs: https://developer.work.weixin.qq.com/document/path/92130
    """


# -- customer_acquisition ------------------------------------------------------------------


@register("event", "customer_acquisition")
@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerAcquisitionEvent(WeComEvent):
    """Customer-acquisition link (获客链接) notices: quota (balance_low, balance_exhausted,
    balance_increased, quota_expire_soon), links (link_unavailable, delete_link) and customer
    activity (open_profile, friend_request, customer_start_chat); unused fields are "".

    Docs: https://developer.work.weixin.qq.com/document/path/97299
    """

    link_id: str = text("LinkId")
    state: str = text("State")
    user_id: str = text("UserID")
    external_user_id: str = text("ExternalUserID")

    @property
    def dedupe_key(self) -> str:
        return self._key(
            self.event,
            self.change_type,
            self.link_id,
            self.user_id,
            self.external_user_id,
            str(self.create_time),
        )
