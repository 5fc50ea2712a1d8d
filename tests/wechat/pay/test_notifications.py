"""Notifications: built by the platform side, verified and decrypted by the merchant side."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shequn.wechat.exceptions import (
    DecryptionError,
    InvalidSignature,
    PayloadTooLarge,
    WeChatError,
)
from shequn.wechat.pay.errors import StaleTimestamp, UnknownSerial
from shequn.wechat.pay.keys import PlatformKeys
from shequn.wechat.pay.notifications import (
    MalformedNotification,
    Notification,
    SignedNotification,
    build_notification,
    failure_body,
    parse_notification,
)
from shequn.wechat.pay.transfer import transfer_bill_finished
from shequn.wechat.pay.transfer_models import TransferState
from shequn.wechat.pay.verification import ResponseVerifier, sign_response_headers
from tests.wechat.pay.conftest import Platform
from tests.wechat.pay.support import API_V3_KEY, NOW, PUB_KEY_ID, fixed_now

# The fixtures are read-only keys, safe to share between generated examples.
FIXTURES_OK = [HealthCheck.function_scoped_fixture]

FINISHED = {
    "mchid": "1900009191",
    "out_bill_no": "plfk2020042013",
    "transfer_bill_no": "1330000071100999991182020050700019480001",
    "state": "SUCCESS",
    "transfer_amount": 100,
    "openid": "o-MYE42l80oelYMDE34nYD456Xoy",
    "create_time": "2025-01-01T10:00:00+08:00",
    "update_time": "2025-01-01T10:01:00+08:00",
}


def _build(key: rsa.RSAPrivateKey, serial: str, *, timestamp: int = NOW) -> SignedNotification:
    return build_notification(
        key,
        serial,
        API_V3_KEY,
        event_type="MCHTRANSFER.BILL.FINISHED",
        resource=FINISHED,
        original_type="mch_payment",
        associated_data="mch_payment",
        summary="商家转账单据终态通知",
        notification_id="EV-2018022511223320873",
        create_time=dt.datetime(2015, 5, 20, 5, 29, 35, tzinfo=dt.UTC),
        timestamp=timestamp,
    )


def _parse(note: SignedNotification, keys: PlatformKeys, body: bytes | None = None) -> Notification:
    return parse_notification(
        note.headers,
        note.body if body is None else body,
        verifier=ResponseVerifier(keys, now=fixed_now),
        api_v3_key=API_V3_KEY,
    )


def test_envelope_has_the_documented_shape(platform: Platform) -> None:
    note = _build(platform.cert_key, platform.cert_serial)
    envelope = json.loads(note.body)
    assert envelope["id"] == "EV-2018022511223320873"
    assert envelope["create_time"] == "2015-05-20T13:29:35+08:00"
    assert envelope["resource_type"] == "encrypt-resource"
    assert envelope["event_type"] == "MCHTRANSFER.BILL.FINISHED"
    resource = envelope["resource"]
    assert resource["original_type"] == "mch_payment"
    assert resource["algorithm"] == "AEAD_AES_256_GCM"
    assert resource["associated_data"] == "mch_payment"
    assert "out_bill_no" not in note.body.decode()  # the payload travels only encrypted
    assert note.headers["Wechatpay-Serial"] == platform.cert_serial
    assert note.headers["Wechatpay-Timestamp"] == str(NOW)


@pytest.mark.parametrize("mode", ["certificate", "public_key"])
def test_round_trip_in_both_modes(platform: Platform, both_keys: PlatformKeys, mode: str) -> None:
    if mode == "certificate":
        note = _build(platform.cert_key, platform.cert_serial)
    else:
        note = _build(platform.pub_key, PUB_KEY_ID)
    parsed = _parse(note, both_keys)
    assert parsed.event_type == "MCHTRANSFER.BILL.FINISHED"
    assert parsed.resource == FINISHED
    assert parsed.serial == note.headers["Wechatpay-Serial"]
    finished = transfer_bill_finished(parsed)
    assert finished.state is TransferState.SUCCESS
    assert finished.out_bill_no == "plfk2020042013"
    assert finished.transfer_amount == 100


def test_tampered_body_is_rejected_before_decryption(
    platform: Platform, cert_keys: PlatformKeys
) -> None:
    note = _build(platform.cert_key, platform.cert_serial)
    with pytest.raises(InvalidSignature):
        _parse(note, cert_keys, body=note.body.replace(b"13:29:35", b"13:29:36"))


def test_stale_notification_is_rejected(platform: Platform, cert_keys: PlatformKeys) -> None:
    note = _build(platform.cert_key, platform.cert_serial, timestamp=NOW - 3600)
    with pytest.raises(StaleTimestamp):
        _parse(note, cert_keys)


def test_unknown_serial_is_rejected(platform: Platform, cert_keys: PlatformKeys) -> None:
    with pytest.raises(UnknownSerial):
        _parse(_build(platform.pub_key, PUB_KEY_ID), cert_keys)


def test_wrong_api_v3_key_is_a_decryption_error(
    platform: Platform, cert_keys: PlatformKeys
) -> None:
    note = _build(platform.cert_key, platform.cert_serial)
    with pytest.raises(DecryptionError):
        parse_notification(
            note.headers,
            note.body,
            verifier=ResponseVerifier(cert_keys, now=fixed_now),
            api_v3_key="Z" * 32,
        )


def test_oversized_body_is_refused_unread(platform: Platform, cert_keys: PlatformKeys) -> None:
    note = _build(platform.cert_key, platform.cert_serial)
    with pytest.raises(PayloadTooLarge):
        _parse(note, cert_keys, body=b" " * (64 * 1024 + 1))


def _signed_body(platform: Platform, body: bytes) -> dict[str, str]:
    return sign_response_headers(platform.cert_key, platform.cert_serial, body, timestamp=NOW)


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b"{}",
        b'{"id":"EV-1","event_type":"X","resource":"nope"}',
        b'{"id":"EV-1","event_type":"X","resource":{"algorithm":"AES_CBC"}}',
        b"\xff\xfe",
        b"[" * 5000,
    ],
)
def test_signed_but_malformed_bodies_raise_protocol_errors(
    platform: Platform, cert_keys: PlatformKeys, body: bytes
) -> None:
    with pytest.raises((MalformedNotification, DecryptionError)):
        parse_notification(
            _signed_body(platform, body),
            body,
            verifier=ResponseVerifier(cert_keys, now=fixed_now),
            api_v3_key=API_V3_KEY,
        )


def test_transfer_view_refuses_other_events(platform: Platform, cert_keys: PlatformKeys) -> None:
    note = build_notification(
        platform.cert_key,
        platform.cert_serial,
        API_V3_KEY,
        event_type="TRANSACTION.SUCCESS",
        resource={"out_trade_no": "1"},
        original_type="transaction",
        associated_data="transaction",
        timestamp=NOW,
    )
    with pytest.raises(WeChatError):
        transfer_bill_finished(_parse(note, cert_keys))


def test_failure_body_is_the_documented_json() -> None:
    assert json.loads(failure_body("busy")) == {"code": "FAIL", "message": "busy"}


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=2048), sign=st.booleans())
def test_fuzz_random_bytes_only_raise_wechat_errors(
    platform: Platform, cert_keys: PlatformKeys, body: bytes, sign: bool
) -> None:
    headers = _signed_body(platform, body) if sign else {"Wechatpay-Serial": "x"}
    with pytest.raises(WeChatError):
        parse_notification(
            headers,
            body,
            verifier=ResponseVerifier(cert_keys, now=fixed_now),
            api_v3_key=API_V3_KEY,
        )


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    resource=st.dictionaries(
        st.text(max_size=8),
        st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.integers())),
        max_size=6,
    ),
    ciphertext=st.text(max_size=64),
    nonce=st.text(max_size=16),
)
def test_fuzz_signed_envelopes_with_garbage_resources_only_raise_wechat_errors(
    platform: Platform,
    cert_keys: PlatformKeys,
    resource: dict[str, object],
    ciphertext: str,
    nonce: str,
) -> None:
    envelope = {
        "id": "EV-1",
        "event_type": "MCHTRANSFER.BILL.FINISHED",
        "resource": {
            **resource,
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": ciphertext,
            "nonce": nonce,
        },
    }
    body = json.dumps(envelope).encode()
    try:
        parse_notification(
            _signed_body(platform, body),
            body,
            verifier=ResponseVerifier(cert_keys, now=fixed_now),
            api_v3_key=API_V3_KEY,
        )
    except WeChatError:
        pass
    else:  # pragma: no cover - a random ciphertext authenticating would be a GCM break
        pytest.fail("garbage ciphertext was accepted")
