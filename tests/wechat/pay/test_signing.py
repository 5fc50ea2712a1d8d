"""Request signing and the Authorization header, merchant side and platform side."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.wechat.exceptions import InvalidSignature
from shequn.wechat.pay.errors import StaleTimestamp
from shequn.wechat.pay.signing import (
    MalformedAuthorization,
    build_authorization,
    format_authorization,
    parse_authorization,
    request_message,
    response_message,
    sign_response,
    verify_message,
    verify_request,
)
from tests.wechat.pay.support import MCHID, MERCHANT_SERIAL, NOW, fixed_now

# Layout of the reference example (wecom-and-pay.md E.4): schema, one space, five items, commas.
REFERENCE_HEADER = (
    'WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",'
    'signature="c2lnbmF0dXJl",timestamp="1554208460",'
    'serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"'
)


def test_request_message_for_a_get_has_five_lines_and_an_empty_body_line() -> None:
    message = request_message(
        "GET", "/v3/certificates", 1554208460, "593BEC0C930BF1AFEB40B4A08C8FB242", b""
    )
    assert message == b"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"


def test_request_message_keeps_query_and_exact_body_bytes() -> None:
    body = '{"transfer_remark":"活动奖励"}'
    message = request_message("post", "/v3/x?a=1&b=2", "1", "N", body)
    assert message == b"POST\n/v3/x?a=1&b=2\n1\nN\n" + body.encode() + b"\n"


def test_response_message_has_three_lines() -> None:
    assert response_message("1554208460", "abc", b"") == b"1554208460\nabc\n\n"
    assert response_message(1, "n", '{"a":1}') == b'1\nn\n{"a":1}\n'


def test_authorization_header_matches_reference_layout_byte_for_byte() -> None:
    header = format_authorization(
        mchid="1900009191",
        nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",
        signature="c2lnbmF0dXJl",
        timestamp=1554208460,
        serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
    )
    assert header == REFERENCE_HEADER


def test_parse_reference_header_and_round_trip() -> None:
    parsed = parse_authorization(REFERENCE_HEADER)
    assert parsed.mchid == "1900009191"
    assert parsed.nonce_str == "593BEC0C930BF1AFEB40B4A08C8FB242"
    assert parsed.timestamp == "1554208460"
    assert parsed.serial_no == "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"
    assert parsed.signature == "c2lnbmF0dXJl"
    assert parsed.header_value() == REFERENCE_HEADER


def test_parse_accepts_any_item_order_and_spaces_after_commas() -> None:
    header = (
        'WECHATPAY2-SHA256-RSA2048 serial_no="S", timestamp="1", signature="c2ln",'
        ' nonce_str="N", mchid="M"'
    )
    parsed = parse_authorization(header)
    assert (parsed.mchid, parsed.serial_no, parsed.timestamp) == ("M", "S", "1")


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer abc",
        REFERENCE_HEADER.replace("WECHATPAY2-SHA256-RSA2048", "WECHATPAY2-SHA256-RSA4096"),
        REFERENCE_HEADER.replace(',serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"', ""),
        REFERENCE_HEADER + ',mchid="again"',
        REFERENCE_HEADER + ',extra="x"',
        REFERENCE_HEADER.replace('timestamp="1554208460"', 'timestamp="soon"'),
        REFERENCE_HEADER.replace('mchid="1900009191"', "mchid=1900009191"),
    ],
)
def test_parse_rejects_malformed_headers(header: str) -> None:
    with pytest.raises(MalformedAuthorization):
        parse_authorization(header)


def test_malformed_header_is_an_invalid_signature_for_callers() -> None:
    with pytest.raises(InvalidSignature):
        parse_authorization("nonsense")


def _signed(key: rsa.RSAPrivateKey, body: bytes, url: str = "/v3/a?b=c") -> str:
    return build_authorization(
        key,
        mchid=MCHID,
        serial_no=MERCHANT_SERIAL,
        method="POST",
        canonical_url=url,
        body=body,
        timestamp=NOW,
        nonce="NONCE123",
    )


def test_build_then_verify_request_round_trip(merchant_key: rsa.RSAPrivateKey) -> None:
    header = _signed(merchant_key, b'{"a":1}')
    parsed = verify_request(
        header,
        method="POST",
        canonical_url="/v3/a?b=c",
        body=b'{"a":1}',
        merchant_public_key=merchant_key.public_key(),
        now=fixed_now,
    )
    assert parsed.mchid == MCHID
    assert (parsed.serial_no, parsed.nonce_str) == (MERCHANT_SERIAL, "NONCE123")


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/v3/a?b=c", b'{"a":2}'),  # tampered body
        ("POST", "/v3/a?b=d", b'{"a":1}'),  # tampered query
        ("GET", "/v3/a?b=c", b'{"a":1}'),  # other method
    ],
)
def test_verify_request_rejects_any_change(
    merchant_key: rsa.RSAPrivateKey, method: str, url: str, body: bytes
) -> None:
    header = _signed(merchant_key, b'{"a":1}')
    with pytest.raises(InvalidSignature):
        verify_request(
            header,
            method=method,
            canonical_url=url,
            body=body,
            merchant_public_key=merchant_key.public_key(),
            now=fixed_now,
        )


def test_verify_request_rejects_other_key(
    merchant_key: rsa.RSAPrivateKey, stranger_key: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(InvalidSignature):
        verify_request(
            _signed(stranger_key, b""),
            method="POST",
            canonical_url="/v3/a?b=c",
            body=b"",
            merchant_public_key=merchant_key.public_key(),
            now=fixed_now,
        )


@pytest.mark.parametrize("offset", [301, -301, 10_000])
def test_verify_request_rejects_stale_timestamp(
    merchant_key: rsa.RSAPrivateKey, offset: int
) -> None:
    with pytest.raises(StaleTimestamp):
        verify_request(
            _signed(merchant_key, b""),
            method="POST",
            canonical_url="/v3/a?b=c",
            body=b"",
            merchant_public_key=merchant_key.public_key(),
            now=lambda: float(NOW + offset),
        )


def test_sign_response_verifies_with_the_platform_public_key(
    merchant_key: rsa.RSAPrivateKey,
) -> None:
    signature = sign_response(merchant_key, NOW, "n", b"{}")
    verify_message(merchant_key.public_key(), response_message(NOW, "n", b"{}"), signature)
    with pytest.raises(InvalidSignature):
        verify_message(merchant_key.public_key(), response_message(NOW, "n", b"{ }"), signature)


def test_non_base64_signature_is_invalid(merchant_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(InvalidSignature):
        verify_message(merchant_key.public_key(), b"x", "***not base64***")
