"""WeChat Pay v3: request signing, response and notification verification, merchant transfers.

Modules: `signing` (Authorization header, both sides), `verification` (Wechatpay-* signatures),
`keys` (merchant and platform keys), `certificates` (/v3/certificates), `aead` (AES-256-GCM
resources), `notifications` (callbacks, both sides), `client` (signed/verified HTTP core),
`transfer` and `transfer_models` (商家转账 bills), `errors`.
"""

from __future__ import annotations

from shequn.wechat.pay.aead import decrypt_resource, encrypt_resource
from shequn.wechat.pay.client import DEFAULT_BASE_URL, PayClient, PayResponse
from shequn.wechat.pay.errors import (
    InsufficientBalance,
    MissingSignature,
    PayAPIError,
    PayError,
    PayPermanentError,
    PayQuotaError,
    PayRetryable,
    PayTransportError,
    PayValidationError,
    SignatureProbe,
    StaleTimestamp,
    UnknownSerial,
    classify_pay_error,
)
from shequn.wechat.pay.keys import PlatformKeys, load_private_key, load_public_key
from shequn.wechat.pay.notifications import (
    Notification,
    SignedNotification,
    build_notification,
    parse_notification,
)
from shequn.wechat.pay.signing import (
    Authorization,
    build_authorization,
    parse_authorization,
    sign_response,
    verify_request,
)
from shequn.wechat.pay.transfer import SyncTransferClient, TransferClient, transfer_bill_finished
from shequn.wechat.pay.transfer_models import (
    CancelResult,
    SceneReportInfo,
    TransferBill,
    TransferBillDetail,
    TransferBillFinished,
    TransferBillRequest,
    TransferState,
)
from shequn.wechat.pay.verification import ResponseVerifier, sign_response_headers

__all__ = [
    "DEFAULT_BASE_URL",
    "Authorization",
    "CancelResult",
    "InsufficientBalance",
    "MissingSignature",
    "Notification",
    "PayAPIError",
    "PayClient",
    "PayError",
    "PayPermanentError",
    "PayQuotaError",
    "PayResponse",
    "PayRetryable",
    "PayTransportError",
    "PayValidationError",
    "PlatformKeys",
    "ResponseVerifier",
    "SceneReportInfo",
    "SignatureProbe",
    "SignedNotification",
    "StaleTimestamp",
    "SyncTransferClient",
    "TransferBill",
    "TransferBillDetail",
    "TransferBillFinished",
    "TransferBillRequest",
    "TransferClient",
    "TransferState",
    "UnknownSerial",
    "build_authorization",
    "build_notification",
    "classify_pay_error",
    "decrypt_resource",
    "encrypt_resource",
    "load_private_key",
    "load_public_key",
    "parse_authorization",
    "parse_notification",
    "sign_response",
    "sign_response_headers",
    "transfer_bill_finished",
    "verify_request",
]
