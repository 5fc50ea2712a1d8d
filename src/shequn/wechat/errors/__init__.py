"""Error codes of official accounts and WeCom, and the exceptions API calls raise."""

from __future__ import annotations

from shequn.wechat.errors.classify import (
    CHINA_TZ,
    classify,
    error_from_response,
    next_midnight,
    next_month,
    retry_after,
)
from shequn.wechat.errors.codes import OfficialAccountErrorCode, WeComErrorCode
from shequn.wechat.errors.types import (
    APIError,
    InvalidRequest,
    MalformedResponse,
    PermanentError,
    QuotaExhausted,
    Retryable,
    TokenInvalid,
    TokenUnavailable,
    TransportError,
    rid_from_errmsg,
)

__all__ = [
    "CHINA_TZ",
    "APIError",
    "InvalidRequest",
    "MalformedResponse",
    "OfficialAccountErrorCode",
    "PermanentError",
    "QuotaExhausted",
    "Retryable",
    "TokenInvalid",
    "TokenUnavailable",
    "TransportError",
    "WeComErrorCode",
    "classify",
    "error_from_response",
    "next_midnight",
    "next_month",
    "retry_after",
    "rid_from_errmsg",
]
