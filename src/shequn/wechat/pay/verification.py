"""Verify what Pay sends us (API responses and notifications) before anything in it is trusted.

The key is chosen by `Wechatpay-Serial`: a platform certificate serial in certificate mode, a
`PUB_KEY_ID_...` in public-key mode. Both may be configured at once, which is what a merchant
migrating between the modes needs.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.wechat.pay.errors import MissingSignature, SignatureProbe
from shequn.wechat.pay.keys import PlatformKeys
from shequn.wechat.pay.signing import (
    MAX_CLOCK_SKEW_SECONDS,
    SCHEMA,
    check_timestamp,
    make_nonce,
    response_message,
    sign_response,
    verify_message,
)

HEADER_TIMESTAMP = "Wechatpay-Timestamp"
HEADER_NONCE = "Wechatpay-Nonce"
HEADER_SIGNATURE = "Wechatpay-Signature"
HEADER_SERIAL = "Wechatpay-Serial"
HEADER_SIGNATURE_TYPE = "Wechatpay-Signature-Type"
HEADER_REQUEST_ID = "Request-ID"
SIGNATURE_PROBE_PREFIX = "WECHATPAY/SIGNTEST/"
MAX_HEADER_LENGTH = 1024


@dataclass(frozen=True, slots=True)
class SignedHeaders:
    """The Wechatpay-* headers of one response or notification."""

    timestamp: str
    nonce: str
    signature: str
    serial: str
    signature_type: str = SCHEMA

    def as_dict(self) -> dict[str, str]:
        return {
            HEADER_TIMESTAMP: self.timestamp,
            HEADER_NONCE: self.nonce,
            HEADER_SIGNATURE: self.signature,
            HEADER_SERIAL: self.serial,
            HEADER_SIGNATURE_TYPE: self.signature_type,
        }


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        # Plain dicts are case-sensitive; HTTP header names are not.
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def signed_headers(headers: Mapping[str, str]) -> SignedHeaders:
    """Extract the signature headers; raises `MissingSignature` if any is absent or oversized."""
    values: list[str] = []
    for name in (HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE, HEADER_SERIAL):
        value = _header(headers, name)
        if not value:
            raise MissingSignature(f"{name} header is missing")
        if len(value) > MAX_HEADER_LENGTH:
            raise MissingSignature(f"{name} header is implausibly long")
        values.append(value.strip())
    signature_type = _header(headers, HEADER_SIGNATURE_TYPE) or SCHEMA
    if signature_type != SCHEMA:
        raise MissingSignature(f"unsupported {HEADER_SIGNATURE_TYPE} {signature_type[:64]!r}")
    timestamp, nonce, signature, serial = values
    return SignedHeaders(timestamp, nonce, signature, serial, signature_type)


class ResponseVerifier:
    """Checks Wechatpay-* signatures against the trusted `PlatformKeys`.

    Rejections, all `InvalidSignature` subclasses: `MissingSignature`, `SignatureProbe` (Pay's
    `WECHATPAY/SIGNTEST/` probe, which a correct verifier must refuse), `StaleTimestamp` (more
    than `max_skew` seconds from now), `UnknownSerial`, and plain `InvalidSignature`.
    """

    def __init__(
        self,
        keys: PlatformKeys,
        *,
        max_skew: int = MAX_CLOCK_SKEW_SECONDS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.keys = keys
        self.max_skew = max_skew
        self.now = now

    def verify(self, headers: Mapping[str, str], body: bytes | str) -> SignedHeaders:
        """Verify `body` against its headers; returns the headers that were checked."""
        signed = signed_headers(headers)
        if signed.signature.startswith(SIGNATURE_PROBE_PREFIX):
            raise SignatureProbe("Pay signature probe (WECHATPAY/SIGNTEST/) rejected as required")
        check_timestamp(signed.timestamp, now=self.now, max_skew=self.max_skew)
        at = dt.datetime.fromtimestamp(self.now(), dt.UTC)
        public_key = self.keys.get(signed.serial, at=at)
        verify_message(
            public_key, response_message(signed.timestamp, signed.nonce, body), signed.signature
        )
        return signed


def sign_response_headers(
    private_key: rsa.RSAPrivateKey,
    serial: str,
    body: bytes | str,
    *,
    timestamp: str | int | None = None,
    nonce: str | None = None,
    request_id: str | None = None,
) -> dict[str, str]:
    """Platform side: the Wechatpay-* headers (and Request-ID) that make `body` verifiable."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or make_nonce()
    headers = SignedHeaders(
        timestamp=timestamp,
        nonce=nonce,
        signature=sign_response(private_key, timestamp, nonce, body),
        serial=serial,
    ).as_dict()
    headers[HEADER_REQUEST_ID] = request_id or make_nonce(24)
    return headers
