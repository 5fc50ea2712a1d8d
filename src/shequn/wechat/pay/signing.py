"""SHA256withRSA signatures of Pay v3: merchant requests and platform responses.

Request message: `METHOD\\nCANONICAL_URL\\nTIMESTAMP\\nNONCE\\nBODY\\n` where the canonical URL
is the path plus `?query` exactly as sent (no host) and BODY is the exact bytes sent ("" for GET).
Response/notification message: `TIMESTAMP\\nNONCE\\nBODY\\n`. Both are PKCS#1 v1.5 over SHA-256,
base64 encoded.

The Authorization header is `WECHATPAY2-SHA256-RSA2048 ` followed by five `key="value"` items
joined by commas; Pay ignores their order, this module always writes mchid, nonce_str, signature,
timestamp, serial_no (the documented order) and parses any order.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from shequn.wechat.exceptions import InvalidSignature
from shequn.wechat.pay.errors import PayError, StaleTimestamp

SCHEMA = "WECHATPAY2-SHA256-RSA2048"
MAX_CLOCK_SKEW_SECONDS = 300
_NONCE_ALPHABET = string.ascii_uppercase + string.digits
_AUTH_FIELDS = ("mchid", "nonce_str", "signature", "timestamp", "serial_no")
_AUTH_ITEM = re.compile(r'\s*([a-z_]+)="([^"]*)"\s*')


class MalformedAuthorization(InvalidSignature, PayError):
    """An Authorization header that is not the Pay v3 format."""


def make_nonce(length: int = 32) -> str:
    """A random nonce_str of upper-case letters and digits (Pay's examples use 32)."""
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(length))


def _text(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def request_message(
    method: str, canonical_url: str, timestamp: str | int, nonce: str, body: bytes | str
) -> bytes:
    """The five-line string a merchant signs for a request."""
    head = f"{method.upper()}\n{canonical_url}\n{timestamp}\n{nonce}\n".encode()
    return head + _text(body) + b"\n"


def response_message(timestamp: str | int, nonce: str, body: bytes | str) -> bytes:
    """The three-line string Pay signs for a response or a notification."""
    return f"{timestamp}\n{nonce}\n".encode() + _text(body) + b"\n"


def sign_message(private_key: rsa.RSAPrivateKey, message: bytes) -> str:
    """Base64 SHA256withRSA (PKCS#1 v1.5) signature."""
    signature = private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def verify_message(public_key: rsa.RSAPublicKey, message: bytes, signature: str) -> None:
    """Raise `InvalidSignature` unless `signature` signs `message` under `public_key`."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidSignature("signature is not valid base64") from exc
    try:
        public_key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
    except CryptoInvalidSignature as exc:
        raise InvalidSignature("signature does not match the signed message") from exc


def sign_response(
    private_key: rsa.RSAPrivateKey, timestamp: str | int, nonce: str, body: bytes | str
) -> str:
    """Platform side: the `Wechatpay-Signature` value for a response or notification body."""
    return sign_message(private_key, response_message(timestamp, nonce, body))


@dataclass(frozen=True, slots=True)
class Authorization:
    """The five items of a Pay v3 Authorization header."""

    mchid: str
    nonce_str: str
    signature: str
    timestamp: str
    serial_no: str

    def header_value(self) -> str:
        items = ",".join(f'{name}="{getattr(self, name)}"' for name in _AUTH_FIELDS)
        return f"{SCHEMA} {items}"


def format_authorization(
    *, mchid: str, nonce_str: str, signature: str, timestamp: str | int, serial_no: str
) -> str:
    """The Authorization header value from its parts."""
    return Authorization(mchid, nonce_str, signature, str(timestamp), serial_no).header_value()


def build_authorization(
    private_key: rsa.RSAPrivateKey,
    *,
    mchid: str,
    serial_no: str,
    method: str,
    canonical_url: str,
    body: bytes | str = b"",
    timestamp: str | int | None = None,
    nonce: str | None = None,
) -> str:
    """Sign a request and return the complete Authorization header value.

    `canonical_url` is the path with its query string exactly as it goes on the wire.
    """
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or make_nonce()
    signature = sign_message(
        private_key, request_message(method, canonical_url, timestamp, nonce, body)
    )
    return format_authorization(
        mchid=mchid, nonce_str=nonce, signature=signature, timestamp=timestamp, serial_no=serial_no
    )


def parse_authorization(header: str) -> Authorization:
    """Parse an Authorization header value; raises `MalformedAuthorization`.

    Items may come in any order; each must appear exactly once, and nothing else may appear.
    """
    schema, _, rest = header.strip().partition(" ")
    if schema != SCHEMA:
        raise MalformedAuthorization(f"Authorization schema must be {SCHEMA}")
    values: dict[str, str] = {}
    for item in rest.split(","):
        match = _AUTH_ITEM.fullmatch(item)
        if match is None:
            raise MalformedAuthorization('Authorization items must be key="value"')
        name, value = match.groups()
        if name not in _AUTH_FIELDS or name in values:
            raise MalformedAuthorization(f"unexpected or repeated Authorization item {name!r}")
        values[name] = value
    missing = [name for name in _AUTH_FIELDS if not values.get(name)]
    if missing:
        raise MalformedAuthorization(f"Authorization lacks {', '.join(missing)}")
    if not values["timestamp"].isdigit():
        raise MalformedAuthorization("Authorization timestamp must be unix seconds")
    return Authorization(**values)


def check_timestamp(
    timestamp: str,
    *,
    now: Callable[[], float] = time.time,
    max_skew: int = MAX_CLOCK_SKEW_SECONDS,
) -> None:
    """Raise `StaleTimestamp` when `timestamp` is not unix seconds within `max_skew` of now."""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise StaleTimestamp("timestamp is not unix seconds")
    if abs(now() - int(timestamp)) > max_skew:
        raise StaleTimestamp(f"timestamp {timestamp} is more than {max_skew}s from now")


def verify_request(
    authorization: str,
    *,
    method: str,
    canonical_url: str,
    body: bytes | str,
    merchant_public_key: rsa.RSAPublicKey,
    now: Callable[[], float] = time.time,
    max_skew: int = MAX_CLOCK_SKEW_SECONDS,
) -> Authorization:
    """Platform side: check a merchant request's Authorization; returns its parsed items.

    Raises `MalformedAuthorization`, `StaleTimestamp` or `InvalidSignature`. The caller picks
    `merchant_public_key` from the returned mchid/serial_no, so parse first if needed.
    """
    parsed = parse_authorization(authorization)
    check_timestamp(parsed.timestamp, now=now, max_skew=max_skew)
    message = request_message(method, canonical_url, parsed.timestamp, parsed.nonce_str, body)
    verify_message(merchant_public_key, message, parsed.signature)
    return parsed
