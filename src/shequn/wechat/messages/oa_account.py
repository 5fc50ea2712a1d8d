"""Official-account events about the account itself: customer-service sessions and
WeChat verification (资质/名称认证, annual renewal)."""

from __future__ import annotations

from dataclasses import dataclass

from shequn.wechat.messages.base import InboundMessage, integer, register, text

__all__ = [
    "AnnualRenewEvent",
    "KfCloseSessionEvent",
    "KfCreateSessionEvent",
    "KfSwitchSessionEvent",
    "NamingVerifyFailEvent",
    "NamingVerifySuccessEvent",
    "QualificationVerifyFailEvent",
    "QualificationVerifySuccessEvent",
    "VerifyExpiredEvent",
]


@register("event", "kf_create_session")
@dataclass(frozen=True, slots=True, kw_only=True)
class KfCreateSessionEvent(InboundMessage):
    """An agent took the user's session. Docs: https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Session_control.html"""

    kf_account: str = text("KfAccount")


@register("event", "kf_close_session")
@dataclass(frozen=True, slots=True, kw_only=True)
class KfCloseSessionEvent(InboundMessage):
    """An agent closed the session. Docs: https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Session_control.html"""

    kf_account: str = text("KfAccount")


@register("event", "kf_switch_session")
@dataclass(frozen=True, slots=True, kw_only=True)
class KfSwitchSessionEvent(InboundMessage):
    """The session moved between agents. Docs: https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Session_control.html"""

    from_kf_account: str = text("FromKfAccount")
    to_kf_account: str = text("ToKfAccount")


@dataclass(frozen=True, slots=True, kw_only=True)
class _VerificationValid(InboundMessage):
    expired_time: int | None = integer("ExpiredTime")


@dataclass(frozen=True, slots=True, kw_only=True)
class _VerificationFailed(InboundMessage):
    fail_time: int | None = integer("FailTime")
    fail_reason: str = text("FailReason")


@register("event", "qualification_verify_success")
@dataclass(frozen=True, slots=True, kw_only=True)
class QualificationVerifySuccessEvent(_VerificationValid):
    """Qualification verified: advanced APIs are available now.

    Docs: https://developers.weixin.qq.com/doc/service/guide/product/Accreditation.html
    """


@register("event", "qualification_verify_fail")
@dataclass(frozen=True, slots=True, kw_only=True)
class QualificationVerifyFailEvent(_VerificationFailed):
    """Qualification verification failed. Docs: https://developers.weixin.qq.com/doc/service/guide/product/Accreditation.html"""


@register("event", "naming_verify_success")
@dataclass(frozen=True, slots=True, kw_only=True)
class NamingVerifySuccessEvent(_VerificationValid):
    """Name verified (tick badge). Docs: https://developers.weixin.qq.com/doc/service/guide/product/Accreditation.html"""


@register("event", "naming_verify_fail")
@dataclass(frozen=True, slots=True, kw_only=True)
class NamingVerifyFailEvent(_VerificationFailed):
    """Name verification failed; API permissions stay. Docs: https://developers.weixin.qq.com/doc/service/guide/product/Accreditation.html"""


@register("event", "annual_renew")
@dataclass(frozen=True, slots=True, kw_only=True)
class AnnualRenewEvent(_VerificationValid):
    """Verification is due for annual renewal. Docs: https://developers.weixin.qq.com/doc/service/guide/product/Accreditation.html"""


@register("event", "verify_expired")
@dataclass(frozen=True, slots=True, kw_only=True)
class VerifyExpiredEvent(_VerificationValid):
    """Verification expired; advanced APIs may answer 48001. Docs: https://developers.weixin.qq.com/doc/service/guide/product/Accreditation.html"""
