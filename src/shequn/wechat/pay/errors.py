"""WeChat Pay v3 errors, grouped by what the caller has to do about them.

Pay answers errors with a meaningful HTTP status and a JSON body
`{"code": "...", "message": "..."}`.
The groups mirror the rest of the protocol library:

- `PayRetryable`: back off and send the SAME request again (same out_bill_no): SYSTEM_ERROR,
  FREQUENCY_LIMITED, any 5xx, timeouts and network failures (`PayTransportError`).
- `InsufficientBalance`: the merchant account cannot fund the transfer; top up, then retry with the
  same out_bill_no.
- `PayPermanentError`: the request itself is wrong or not allowed (PARAM_ERROR, INVALID_REQUEST,
  NO_AUTH, SIGN_ERROR, NOT_FOUND ...); repeating it changes nothing.

Signature problems on what Pay sends us are `InvalidSignature` subclasses (from
`shequn.wechat.exceptions`), because nothing in such a response may be trusted.
"""

from __future__ import annotations

from enum import StrEnum

from shequn.wechat.exceptions import (
    ConfigurationError,
    InvalidSignature,
    ProtocolError,
    WeChatError,
)


class PayErrorCode(StrEnum):
    """Error codes Pay v3 returns in the `code` field (merchant-transfer and common ones)."""

    SYSTEM_ERROR = "SYSTEM_ERROR"  # transient fault on Pay's side; retry with the same number
    FREQUENCY_LIMITED = "FREQUENCY_LIMITED"  # rate limit hit; slow down and retry
    NOT_ENOUGH = "NOT_ENOUGH"  # merchant balance too low; top up, retry with the same number
    PARAM_ERROR = "PARAM_ERROR"  # a field is missing or malformed
    INVALID_REQUEST = "INVALID_REQUEST"  # well-formed but not acceptable (rules, state, scene)
    NO_AUTH = "NO_AUTH"  # merchant lacks the product or scene permission
    SIGN_ERROR = "SIGN_ERROR"  # Pay could not verify our Authorization signature
    NOT_FOUND = "NOT_FOUND"  # no such bill (queries cover the last 30 days only)
    RESOURCE_NOT_EXISTS = "RESOURCE_NOT_EXISTS"  # same meaning as NOT_FOUND on some endpoints
    ALREADY_EXISTS = "ALREADY_EXISTS"  # out_bill_no reused with different parameters
    ACCOUNT_ERROR = "ACCOUNTERROR"  # merchant account abnormal
    QUOTA_EXCEED = "QUOTA_EXCEED"  # a configured transfer quota was reached
    MCH_NOT_EXISTS = "MCH_NOT_EXISTS"  # merchant id unknown


class PayError(WeChatError):
    """Base of every WeChat Pay failure raised by this package."""


class PayValidationError(PayError, ValueError):
    """A request was refused locally because it breaks a documented limit; nothing was sent."""


class PayConfigurationError(PayError, ConfigurationError):
    """Keys, certificates or the APIv3 key given to the package are malformed."""


class PayAPIError(PayError):
    """Pay answered with an error status.

    `verified` tells whether the error body carried a valid platform signature; unsigned error
    bodies (e.g. from a gateway in front of Pay) are reported but their text is not evidence.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str = "",
        request_id: str = "",
        path: str = "",
        detail: object = None,
        verified: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.path = path
        self.detail = detail
        self.verified = verified

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        rid = f" (Request-ID {self.request_id})" if self.request_id else ""
        return f"HTTP {self.status} {self.code or '-'}{where}: {self.message}{rid}"


class PayRetryable(PayAPIError):
    """Transient: retry the identical request (same out_bill_no) after a back-off."""


class PayTransportError(PayRetryable):
    """No usable answer at all: timeout, connection failure, or a 5xx without a Pay body."""


class PayQuotaError(PayAPIError):
    """A money or quota limit stops the request until someone acts (top-up, next day)."""


class InsufficientBalance(PayQuotaError):
    """The merchant's operating account cannot fund this transfer (NOT_ENOUGH)."""

    def __str__(self) -> str:
        return (
            "WeChat Pay merchant balance is insufficient for this transfer (NOT_ENOUGH): top up "
            "the operating account, then retry with the SAME out_bill_no. " + super().__str__()
        )


class PayPermanentError(PayAPIError):
    """The request is wrong or not permitted; sending it again will fail the same way."""


class PaySignatureRejected(PayPermanentError):
    """Pay refused our request signature (401 SIGN_ERROR): wrong key, serial or signing bug."""


class PayNotFound(PayPermanentError):
    """The bill does not exist (or is older than the 30-day query window)."""


class UnknownSerial(InvalidSignature, PayError):
    """Wechatpay-Serial names neither a known platform certificate nor the configured public key."""


class StaleTimestamp(InvalidSignature, PayError):
    """Wechatpay-Timestamp is too far from now; a replay or a badly skewed clock."""


class SignatureProbe(InvalidSignature, PayError):
    """A `WECHATPAY/SIGNTEST/` probe: Pay checking that we really verify; it must be rejected."""


class MissingSignature(InvalidSignature, PayError):
    """A response or notification lacks one of the Wechatpay-* signature headers."""


_RETRYABLE_CODES = frozenset({PayErrorCode.SYSTEM_ERROR, PayErrorCode.FREQUENCY_LIMITED})
_QUOTA_CODES = frozenset({PayErrorCode.QUOTA_EXCEED})


def classify_pay_error(status: int, code: str) -> type[PayAPIError]:
    """Map an HTTP status and Pay `code` to the exception class naming the caller's reaction.

    Codes win over statuses (NOT_ENOUGH arrives as 403 yet is not a permission problem); unknown
    codes fall back on the status: 5xx and 429 are retryable, everything else permanent.
    """
    if code == PayErrorCode.NOT_ENOUGH:
        return InsufficientBalance
    if code in _QUOTA_CODES:
        return PayQuotaError
    if code in _RETRYABLE_CODES:
        return PayRetryable
    if code == PayErrorCode.SIGN_ERROR:
        return PaySignatureRejected
    if code in (PayErrorCode.NOT_FOUND, PayErrorCode.RESOURCE_NOT_EXISTS):
        return PayNotFound
    if status >= 500 or status == 429:
        return PayRetryable
    if status == 404:
        return PayNotFound
    return PayPermanentError


class MalformedPayResponse(ProtocolError, PayError):
    """A verified response whose JSON is not the documented shape (e.g. an unknown state)."""
