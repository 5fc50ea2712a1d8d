"""Verifying Pay's responses and notifications in certificate mode and public-key mode."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.wechat.exceptions import InvalidSignature
from shequn.wechat.pay.certificates import issue_platform_certificate
from shequn.wechat.pay.errors import (
    MissingSignature,
    SignatureProbe,
    StaleTimestamp,
    UnknownSerial,
)
from shequn.wechat.pay.keys import PlatformKeys, load_public_key, public_key_pem
from shequn.wechat.pay.verification import ResponseVerifier, sign_response_headers
from tests.wechat.pay.conftest import Platform
from tests.wechat.pay.support import NOW, PUB_KEY_ID, fixed_now

BODY = b'{"out_bill_no":"plfk2020042013","state":"WAIT_USER_CONFIRM"}'


def _verifier(keys: PlatformKeys) -> ResponseVerifier:
    return ResponseVerifier(keys, now=fixed_now)


def _cert_headers(platform: Platform, body: bytes = BODY) -> dict[str, str]:
    return sign_response_headers(platform.cert_key, platform.cert_serial, body, timestamp=NOW)


def test_certificate_mode_round_trip(platform: Platform, cert_keys: PlatformKeys) -> None:
    signed = _verifier(cert_keys).verify(_cert_headers(platform), BODY)
    assert signed.serial == platform.cert_serial


def test_public_key_mode_round_trip(platform: Platform, pubkey_keys: PlatformKeys) -> None:
    headers = sign_response_headers(platform.pub_key, PUB_KEY_ID, BODY, timestamp=NOW)
    assert _verifier(pubkey_keys).verify(headers, BODY).serial == PUB_KEY_ID


def test_both_modes_accepted_during_migration(platform: Platform, both_keys: PlatformKeys) -> None:
    verifier = _verifier(both_keys)
    verifier.verify(_cert_headers(platform), BODY)
    verifier.verify(sign_response_headers(platform.pub_key, PUB_KEY_ID, BODY, timestamp=NOW), BODY)


def test_tampered_body_is_rejected(platform: Platform, cert_keys: PlatformKeys) -> None:
    with pytest.raises(InvalidSignature):
        _verifier(cert_keys).verify(_cert_headers(platform), BODY.replace(b"WAIT", b"SUCC"))


def test_unknown_serial_is_rejected(platform: Platform, pubkey_keys: PlatformKeys) -> None:
    with pytest.raises(UnknownSerial):
        _verifier(pubkey_keys).verify(_cert_headers(platform), BODY)


def test_key_behind_another_serial_does_not_verify(
    platform: Platform, both_keys: PlatformKeys
) -> None:
    # Signed with the certificate key but labelled with the public-key id.
    headers = sign_response_headers(platform.cert_key, PUB_KEY_ID, BODY, timestamp=NOW)
    with pytest.raises(InvalidSignature):
        _verifier(both_keys).verify(headers, BODY)


def test_forged_signature_is_rejected(
    platform: Platform, cert_keys: PlatformKeys, stranger_key: rsa.RSAPrivateKey
) -> None:
    headers = sign_response_headers(stranger_key, platform.cert_serial, BODY, timestamp=NOW)
    with pytest.raises(InvalidSignature):
        _verifier(cert_keys).verify(headers, BODY)


@pytest.mark.parametrize("offset", [-301, 301, 3600])
def test_stale_timestamp_is_rejected(
    platform: Platform, cert_keys: PlatformKeys, offset: int
) -> None:
    headers = sign_response_headers(
        platform.cert_key, platform.cert_serial, BODY, timestamp=NOW + offset
    )
    with pytest.raises(StaleTimestamp):
        _verifier(cert_keys).verify(headers, BODY)


def test_timestamp_within_five_minutes_is_accepted(
    platform: Platform, cert_keys: PlatformKeys
) -> None:
    headers = sign_response_headers(
        platform.cert_key, platform.cert_serial, BODY, timestamp=NOW - 299
    )
    _verifier(cert_keys).verify(headers, BODY)


def test_signature_probe_is_rejected_as_such(platform: Platform, cert_keys: PlatformKeys) -> None:
    headers = _cert_headers(platform)
    headers["Wechatpay-Signature"] = "WECHATPAY/SIGNTEST/" + headers["Wechatpay-Signature"]
    with pytest.raises(SignatureProbe):
        _verifier(cert_keys).verify(headers, BODY)


@pytest.mark.parametrize(
    "missing", ["Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"]
)
def test_missing_header_is_rejected(
    platform: Platform, cert_keys: PlatformKeys, missing: str
) -> None:
    headers = _cert_headers(platform)
    del headers[missing]
    with pytest.raises(MissingSignature):
        _verifier(cert_keys).verify(headers, BODY)


def test_header_names_are_case_insensitive(platform: Platform, cert_keys: PlatformKeys) -> None:
    headers = {k.lower(): v for k, v in _cert_headers(platform).items()}
    _verifier(cert_keys).verify(headers, BODY)


def test_other_signature_type_is_rejected(platform: Platform, cert_keys: PlatformKeys) -> None:
    headers = _cert_headers(platform)
    headers["Wechatpay-Signature-Type"] = "WECHATPAY2-SM2-WITH-SM3"
    with pytest.raises(MissingSignature):
        _verifier(cert_keys).verify(headers, BODY)


def test_expired_certificate_is_not_trusted(platform: Platform) -> None:
    old = issue_platform_certificate(
        platform.cert_key,
        serial_number=0xABCDEF,
        not_before=dt.datetime.fromtimestamp(NOW, dt.UTC) - dt.timedelta(days=400),
        valid_for=dt.timedelta(days=365),
    )
    keys = PlatformKeys()
    serial = keys.add_certificate(old)
    headers = sign_response_headers(platform.cert_key, serial, BODY, timestamp=NOW)
    with pytest.raises(UnknownSerial):
        _verifier(keys).verify(headers, BODY)


def test_lower_case_certificate_serial_matches(platform: Platform, cert_keys: PlatformKeys) -> None:
    headers = sign_response_headers(
        platform.cert_key, platform.cert_serial.lower(), BODY, timestamp=NOW
    )
    _verifier(cert_keys).verify(headers, BODY)


def test_public_key_pem_round_trips_into_keys(platform: Platform) -> None:
    pem = public_key_pem(platform.pub_key.public_key())
    keys = PlatformKeys()
    keys.add_public_key(PUB_KEY_ID, pem)
    assert PUB_KEY_ID in keys
    assert load_public_key(pem).public_numbers() == platform.pub_key.public_key().public_numbers()
    headers = sign_response_headers(platform.pub_key, PUB_KEY_ID, BODY, timestamp=NOW)
    _verifier(keys).verify(headers, BODY)
