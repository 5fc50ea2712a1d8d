"""Map an errcode to the exception class that tells the caller how to react."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from shequn.wechat.endpoints import Platform
from shequn.wechat.errors.codes import OfficialAccountErrorCode as OaCode
from shequn.wechat.errors.codes import WeComErrorCode as WcCode
from shequn.wechat.errors.types import (
    APIError,
    PermanentError,
    QuotaExhausted,
    Retryable,
    TokenInvalid,
)

# Quotas reset on Beijing time; China has no daylight saving, so a fixed offset is exact.
CHINA_TZ: Final = timezone(timedelta(hours=8), "Asia/Shanghai")

# On the token endpoints themselves these codes mean bad credentials, not a stale token.
TOKEN_PATHS: Final = frozenset(
    {"/cgi-bin/token", "/cgi-bin/stable_token", "/cgi-bin/gettoken", "/sns/oauth2/access_token"}
)

_OA_TOKEN: Final = frozenset(
    {
        OaCode.INVALID_CREDENTIAL,
        OaCode.INVALID_ACCESS_TOKEN,
        OaCode.ACCESS_TOKEN_EXPIRED,
        OaCode.MISSING_ACCESS_TOKEN,
    }
)
_WC_TOKEN: Final = frozenset(
    {WcCode.INVALID_ACCESS_TOKEN, WcCode.ACCESS_TOKEN_EXPIRED, WcCode.MISSING_ACCESS_TOKEN}
)

_OA_RETRYABLE: Final = frozenset({OaCode.SYSTEM_BUSY, OaCode.MINUTE_QUOTA_REACHED})
_WC_RETRYABLE: Final = frozenset(
    {WcCode.SYSTEM_BUSY, WcCode.CONCURRENCY_LIMIT, WcCode.MASS_MESSAGE_DISPATCHING}
)

_OA_QUOTA: Final = frozenset(
    {
        OaCode.DAILY_QUOTA_REACHED,
        OaCode.NO_MASS_SEND_QUOTA,
        OaCode.CLEAR_QUOTA_LIMIT,
        OaCode.CLIENTMSGID_RETRY_TOO_SOON,
        OaCode.TOKEN_CALL_PENDING,
        OaCode.TOKEN_CALL_NEEDS_CONFIRMATION,
        OaCode.TOKEN_CALL_REJECTED_DAY,
        OaCode.TOKEN_CALL_REJECTED_HOUR,
    }
)
_WC_QUOTA: Final = frozenset({WcCode.FREQUENCY_LIMIT})


def classify(
    errcode: int, platform: Platform = Platform.OFFICIAL_ACCOUNT, *, path: str = ""
) -> type[APIError]:
    """The exception class for `errcode`; unknown codes are permanent."""
    oa = platform is Platform.OFFICIAL_ACCOUNT
    if errcode in (_OA_TOKEN if oa else _WC_TOKEN):
        return PermanentError if path in TOKEN_PATHS else TokenInvalid
    if errcode in (_OA_RETRYABLE if oa else _WC_RETRYABLE):
        return Retryable
    if errcode in (_OA_QUOTA if oa else _WC_QUOTA):
        return QuotaExhausted
    return PermanentError


def next_midnight(now: datetime) -> datetime:
    local = now.astimezone(CHINA_TZ)
    return datetime(local.year, local.month, local.day, tzinfo=CHINA_TZ) + timedelta(days=1)


def next_month(now: datetime) -> datetime:
    local = now.astimezone(CHINA_TZ)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime(year, month, 1, tzinfo=CHINA_TZ)


def retry_after(errcode: int, platform: Platform, now: datetime) -> datetime:
    """When a `QuotaExhausted` code stops applying (conservatively, where the docs are vague)."""
    if platform is Platform.WECOM:
        # WeCom blocks for the length of the window that was exceeded; the minute one is the
        # common case and a caller retrying then just sees the error again with a fresh time.
        return now + timedelta(minutes=1)
    if errcode == OaCode.DAILY_QUOTA_REACHED:
        return next_midnight(now)
    if errcode in (OaCode.NO_MASS_SEND_QUOTA, OaCode.CLEAR_QUOTA_LIMIT):
        return next_month(now)
    if errcode == OaCode.TOKEN_CALL_REJECTED_DAY:
        return now + timedelta(hours=24)
    if errcode == OaCode.TOKEN_CALL_REJECTED_HOUR:
        return now + timedelta(hours=1)
    if errcode in (OaCode.TOKEN_CALL_PENDING, OaCode.TOKEN_CALL_NEEDS_CONFIRMATION):
        # An administrator has to confirm on a phone; polling more often is pointless.
        return now + timedelta(minutes=5)
    return now + timedelta(minutes=1)


def error_from_response(
    errcode: int,
    errmsg: str,
    *,
    platform: Platform,
    path: str = "",
    payload: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> APIError:
    """Build the typed exception for a non-zero errcode."""
    cls = classify(errcode, platform, path=path)
    if cls is QuotaExhausted:
        moment = now if now is not None else datetime.now(tz=CHINA_TZ)
        return QuotaExhausted(
            errcode,
            errmsg,
            retry_after=retry_after(errcode, platform, moment),
            path=path,
            payload=payload,
        )
    return cls(errcode, errmsg, path=path, payload=payload)
