"""AEAD_AES_256_GCM with the APIv3 key: notification resources and downloaded certificates.

Pay encrypts with AES-256-GCM: key = the 32-byte APIv3 key, nonce = the `nonce` string's UTF-8
bytes (12 in practice), AAD = `associated_data` (may be empty), and base64(ciphertext || 16-byte
tag) as `ciphertext`.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import string
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shequn.wechat.exceptions import DecryptionError
from shequn.wechat.pay.errors import PayConfigurationError

ALGORITHM = "AEAD_AES_256_GCM"
API_V3_KEY_BYTES = 32
TAG_BYTES = 16
NONCE_LENGTH = 12
_NONCE_ALPHABET = string.ascii_letters + string.digits


class ResourceDecryptionError(DecryptionError):
    """The resource is not valid AEAD_AES_256_GCM under our APIv3 key (tampered or wrong key)."""


def api_v3_key_bytes(api_v3_key: str | bytes) -> bytes:
    """Validate the APIv3 key: exactly 32 bytes (it is set as 32 ASCII characters)."""
    raw = api_v3_key.encode("utf-8") if isinstance(api_v3_key, str) else api_v3_key
    if len(raw) != API_V3_KEY_BYTES:
        raise PayConfigurationError(f"the APIv3 key must be 32 bytes, got {len(raw)}")
    return raw


@dataclass(frozen=True, slots=True)
class EncryptedResource:
    """The `resource` / `encrypt_certificate` object as it appears in JSON."""

    ciphertext: str
    nonce: str
    associated_data: str
    algorithm: str = ALGORITHM

    def as_dict(self) -> dict[str, str]:
        return {
            "algorithm": self.algorithm,
            "ciphertext": self.ciphertext,
            "associated_data": self.associated_data,
            "nonce": self.nonce,
        }


def decrypt_resource(
    api_v3_key: str | bytes, *, ciphertext: str, nonce: str, associated_data: str = ""
) -> bytes:
    """Authenticate and decrypt; raises `ResourceDecryptionError` on any mismatch."""
    key = api_v3_key_bytes(api_v3_key)
    try:
        sealed = base64.b64decode(ciphertext, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ResourceDecryptionError("resource ciphertext is not valid base64") from exc
    if len(sealed) < TAG_BYTES:
        raise ResourceDecryptionError("resource ciphertext is shorter than the GCM tag")
    try:
        nonce_bytes = nonce.encode("utf-8")
        aad = associated_data.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ResourceDecryptionError("nonce or associated_data is not encodable") from exc
    if not nonce_bytes:
        raise ResourceDecryptionError("resource nonce is empty")
    try:
        return AESGCM(key).decrypt(nonce_bytes, sealed, aad or None)
    except InvalidTag as exc:
        raise ResourceDecryptionError("resource failed GCM authentication") from exc


def encrypt_resource(
    api_v3_key: str | bytes,
    plaintext: bytes,
    *,
    associated_data: str = "",
    nonce: str | None = None,
) -> EncryptedResource:
    """The platform side of `decrypt_resource` (used by the sandbox to build notifications)."""
    key = api_v3_key_bytes(api_v3_key)
    nonce = nonce or "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(NONCE_LENGTH))
    sealed = AESGCM(key).encrypt(
        nonce.encode("utf-8"), plaintext, associated_data.encode("utf-8") or None
    )
    return EncryptedResource(
        ciphertext=base64.b64encode(sealed).decode("ascii"),
        nonce=nonce,
        associated_data=associated_data,
    )
