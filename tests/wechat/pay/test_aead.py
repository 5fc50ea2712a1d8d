"""AEAD_AES_256_GCM resources under the APIv3 key."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shequn.wechat.exceptions import ConfigurationError, DecryptionError
from shequn.wechat.pay.aead import decrypt_resource, encrypt_resource
from tests.wechat.pay.support import API_V3_KEY

NONCE = "fPqxLQRZmjVn"
PLAIN = b'{"out_bill_no":"plfk2020042013","state":"SUCCESS"}'


def test_round_trip() -> None:
    sealed = encrypt_resource(
        API_V3_KEY, PLAIN, associated_data="mch_payment", nonce="fPqxLQRZmjVn"
    )
    assert sealed.algorithm == "AEAD_AES_256_GCM"
    assert sealed.nonce == "fPqxLQRZmjVn"
    out = decrypt_resource(
        API_V3_KEY, ciphertext=sealed.ciphertext, nonce=sealed.nonce, associated_data="mch_payment"
    )
    assert out == PLAIN


def test_layout_is_base64_of_ciphertext_then_16_byte_tag() -> None:
    """Interoperates with a plain AES-256-GCM implementation fed the documented parameters."""
    sealed = encrypt_resource(
        API_V3_KEY, PLAIN, associated_data="certificate", nonce="abcdefghijkl"
    )
    raw = base64.b64decode(sealed.ciphertext)
    assert len(raw) == len(PLAIN) + 16
    plain = AESGCM(API_V3_KEY.encode()).decrypt(b"abcdefghijkl", raw, b"certificate")
    assert plain == PLAIN
    # And the other direction: something sealed independently opens here.
    other = AESGCM(API_V3_KEY.encode()).encrypt(b"0123456789ab", b"{}", b"")
    opened = decrypt_resource(
        API_V3_KEY, ciphertext=base64.b64encode(other).decode(), nonce="0123456789ab"
    )
    assert opened == b"{}"


def test_random_nonces_differ() -> None:
    assert encrypt_resource(API_V3_KEY, PLAIN).nonce != encrypt_resource(API_V3_KEY, PLAIN).nonce


@pytest.mark.parametrize(
    "change",
    [
        {"associated_data": "transaction"},
        {"nonce": "fPqxLQRZmjVm"},
        {"key": "9" * 32},
    ],
)
def test_wrong_parameters_fail_authentication(change: dict[str, str]) -> None:
    sealed = encrypt_resource(
        API_V3_KEY, PLAIN, associated_data="mch_payment", nonce="fPqxLQRZmjVn"
    )
    with pytest.raises(DecryptionError):
        decrypt_resource(
            change.get("key", API_V3_KEY),
            ciphertext=sealed.ciphertext,
            nonce=change.get("nonce", sealed.nonce),
            associated_data=change.get("associated_data", "mch_payment"),
        )


def test_flipped_ciphertext_bit_fails_authentication() -> None:
    sealed = encrypt_resource(API_V3_KEY, PLAIN, nonce="fPqxLQRZmjVn")
    raw = bytearray(base64.b64decode(sealed.ciphertext))
    raw[0] ^= 1
    with pytest.raises(DecryptionError):
        decrypt_resource(
            API_V3_KEY, ciphertext=base64.b64encode(bytes(raw)).decode(), nonce=sealed.nonce
        )


@pytest.mark.parametrize("ciphertext", ["", "AAAA", "not base64!", "QUJD\n"])
def test_garbage_ciphertext_is_a_decryption_error(ciphertext: str) -> None:
    with pytest.raises(DecryptionError):
        decrypt_resource(API_V3_KEY, ciphertext=ciphertext, nonce="fPqxLQRZmjVn")


@pytest.mark.parametrize("key", ["short", "x" * 33, b"\x00" * 31])
def test_api_v3_key_must_be_32_bytes(key: str | bytes) -> None:
    with pytest.raises(ConfigurationError):
        encrypt_resource(key, PLAIN)
