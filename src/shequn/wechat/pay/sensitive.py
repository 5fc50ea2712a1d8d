"""Sensitive fields (user_name): RSA-OAEP with SHA-1 and MGF1-SHA1, base64.

Merchants encrypt with the platform key named in `Wechatpay-Serial`; fields Pay returns are
encrypted to the merchant key and decrypted with the merchant private key.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from shequn.wechat.exceptions import DecryptionError


def _oaep() -> padding.OAEP:
    # SHA-1 is what Pay specifies for this field; inside OAEP it is not a collision concern.
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None)  # noqa: S303


def encrypt_sensitive(public_key: rsa.RSAPublicKey, plaintext: str) -> str:
    return base64.b64encode(public_key.encrypt(plaintext.encode("utf-8"), _oaep())).decode("ascii")


def decrypt_sensitive(private_key: rsa.RSAPrivateKey, ciphertext: str) -> str:
    try:
        raw = base64.b64decode(ciphertext, validate=True)
        return private_key.decrypt(raw, _oaep()).decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("sensitive field is not decryptable with the merchant key") from exc
