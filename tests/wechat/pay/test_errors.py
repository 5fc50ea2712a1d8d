"""Pay error classification by the reaction a caller needs."""

from __future__ import annotations

import pytest

from shequn.wechat.exceptions import InvalidSignature, WeChatError
from shequn.wechat.pay.errors import (
    InsufficientBalance,
    PayAPIError,
    PayNotFound,
    PayPermanentError,
    PayQuotaError,
    PayRetryable,
    PaySignatureRejected,
    SignatureProbe,
    StaleTimestamp,
    UnknownSerial,
    classify_pay_error,
)


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (500, "SYSTEM_ERROR", PayRetryable),
        (429, "FREQUENCY_LIMITED", PayRetryable),
        (502, "", PayRetryable),
        (503, "SOMETHING_NEW", PayRetryable),
        (403, "NOT_ENOUGH", InsufficientBalance),
        (400, "PARAM_ERROR", PayPermanentError),
        (400, "INVALID_REQUEST", PayPermanentError),
        (403, "NO_AUTH", PayPermanentError),
        (401, "SIGN_ERROR", PaySignatureRejected),
        (404, "NOT_FOUND", PayNotFound),
        (400, "SOMETHING_NEW", PayPermanentError),
    ],
)
def test_classification(status: int, code: str, expected: type[PayAPIError]) -> None:
    assert classify_pay_error(status, code) is expected


def test_groups_are_distinct_reactions() -> None:
    assert issubclass(InsufficientBalance, PayQuotaError)
    assert not issubclass(InsufficientBalance, PayRetryable)
    assert not issubclass(PayPermanentError, PayRetryable)
    assert issubclass(PayAPIError, WeChatError)


@pytest.mark.parametrize("cls", [UnknownSerial, StaleTimestamp, SignatureProbe])
def test_verification_failures_are_invalid_signatures(cls: type[Exception]) -> None:
    assert issubclass(cls, InvalidSignature)


def test_error_text_carries_status_code_and_request_id() -> None:
    error = PayPermanentError(
        "需传入转账场景报备信息", status=400, code="PARAM_ERROR", request_id="08F7", path="/v3/x"
    )
    assert str(error) == "HTTP 400 PARAM_ERROR /v3/x: 需传入转账场景报备信息 (Request-ID 08F7)"
