"""Pay v3 notifications (callbacks): verify, then decrypt; and the platform side that builds them.

Order matters: the signature is checked over the raw body before a single byte is parsed, and the
resource is authenticated by AES-GCM before its JSON is parsed. Answer HTTP 200/204 to acknowledge;
anything else (with `failure_body`) makes Pay retry for ~24 h, so duplicates must be tolerated.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.wechat.exceptions import PayloadTooLarge, ProtocolError
from shequn.wechat.pay.aead import ALGORITHM, decrypt_resource, encrypt_resource
from shequn.wechat.pay.errors import PayError
from shequn.wechat.pay.verification import ResponseVerifier, sign_response_headers

RESOURCE_TYPE_ENCRYPTED = "encrypt-resource"
MAX_NOTIFICATION_BYTES = 64 * 1024
_CHINA = dt.timezone(dt.timedelta(hours=8))


class MalformedNotification(ProtocolError, PayError):
    """A signed notification whose body or decrypted resource is not the documented JSON."""


@dataclass(frozen=True, slots=True)
class Notification:
    """A verified and decrypted notification.

    `serial` is the Wechatpay-Serial it was signed under: the only cleartext hint of which
    merchant it belongs to when one deployment serves several.
    """

    id: str
    create_time: str
    event_type: str
    resource_type: str
    summary: str
    original_type: str
    resource: dict[str, Any]
    serial: str


@dataclass(frozen=True, slots=True)
class SignedNotification:
    """What the platform POSTs: headers and the exact body bytes they sign."""

    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def _json_object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise MalformedNotification(f"{what} is not JSON") from exc
    if not isinstance(value, dict):
        raise MalformedNotification(f"{what} is not a JSON object")
    return value


def _string(document: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = document.get(key, "")
    if not isinstance(value, str) or (required and not value):
        raise MalformedNotification(f"notification field {key!r} is missing or not a string")
    return value


def parse_notification(
    headers: Mapping[str, str],
    body: bytes,
    *,
    verifier: ResponseVerifier,
    api_v3_key: str | bytes,
    max_bytes: int = MAX_NOTIFICATION_BYTES,
) -> Notification:
    """Verify the signature, then decrypt the resource.

    Raises only `shequn.wechat` exceptions: `PayloadTooLarge`, `InvalidSignature` (and its
    subclasses: probe, stale timestamp, unknown serial), `MalformedNotification`, and
    `DecryptionError` for a resource that fails authentication.
    """
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"notification body exceeds {max_bytes} bytes")
    signed = verifier.verify(headers, body)
    document = _json_object(body, "notification body")
    resource = document.get("resource")
    if not isinstance(resource, dict):
        raise MalformedNotification("notification has no resource object")
    algorithm = _string(resource, "algorithm")
    if algorithm != ALGORITHM:
        raise MalformedNotification(f"unsupported resource algorithm {algorithm[:40]!r}")
    plaintext = decrypt_resource(
        api_v3_key,
        ciphertext=_string(resource, "ciphertext"),
        nonce=_string(resource, "nonce"),
        associated_data=_string(resource, "associated_data", required=False),
    )
    return Notification(
        id=_string(document, "id"),
        create_time=_string(document, "create_time", required=False),
        event_type=_string(document, "event_type"),
        resource_type=_string(document, "resource_type", required=False),
        summary=_string(document, "summary", required=False),
        original_type=_string(resource, "original_type", required=False),
        resource=_json_object(plaintext, "decrypted resource"),
        serial=signed.serial,
    )


def failure_body(message: str) -> bytes:
    """Body to send with a 4xx/5xx when a notification could not be handled (Pay will retry)."""
    return json.dumps({"code": "FAIL", "message": message}, ensure_ascii=False).encode("utf-8")


def build_notification(
    platform_private_key: rsa.RSAPrivateKey,
    serial: str,
    api_v3_key: str | bytes,
    *,
    event_type: str,
    resource: Mapping[str, Any],
    original_type: str,
    associated_data: str,
    summary: str = "",
    notification_id: str | None = None,
    create_time: dt.datetime | None = None,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> SignedNotification:
    """Platform side: encrypt `resource`, wrap it in the envelope, and sign the exact body."""
    plaintext = json.dumps(resource, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    sealed = encrypt_resource(api_v3_key, plaintext, associated_data=associated_data)
    created = (create_time or dt.datetime.now(_CHINA)).astimezone(_CHINA)
    envelope = {
        "id": notification_id or f"EV-{secrets.token_hex(10)}",
        "create_time": created.isoformat(timespec="seconds"),
        "resource_type": RESOURCE_TYPE_ENCRYPTED,
        "event_type": event_type,
        "summary": summary,
        "resource": {"original_type": original_type, **sealed.as_dict()},
    }
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = sign_response_headers(
        platform_private_key, serial, body, timestamp=timestamp, nonce=nonce
    )
    headers["Content-Type"] = "application/json"
    return SignedNotification(headers=headers, body=body)
