"""The /v3/certificates download: decrypting certificates and trusting them."""

from __future__ import annotations

import json

import pytest

from shequn.wechat.exceptions import DecryptionError
from shequn.wechat.pay.certificates import (
    MalformedCertificateList,
    build_certificates_body,
    parse_certificates,
)
from shequn.wechat.pay.keys import PlatformKeys
from tests.wechat.pay.conftest import Platform
from tests.wechat.pay.support import API_V3_KEY


def test_round_trip(platform: Platform) -> None:
    body = build_certificates_body([platform.certificate], API_V3_KEY)
    entry = json.loads(body)["data"][0]
    assert entry["serial_no"] == platform.cert_serial
    assert entry["encrypt_certificate"]["associated_data"] == "certificate"
    assert entry["effective_time"].endswith("+08:00")
    [downloaded] = parse_certificates(body, API_V3_KEY)
    assert downloaded.certificate == platform.certificate
    keys = PlatformKeys()
    keys.add_certificate(downloaded.certificate)
    assert platform.cert_serial in keys


def test_mislabelled_serial_is_rejected(platform: Platform) -> None:
    document = json.loads(build_certificates_body([platform.certificate], API_V3_KEY))
    document["data"][0]["serial_no"] = "00FF"
    with pytest.raises(MalformedCertificateList):
        parse_certificates(json.dumps(document), API_V3_KEY)


@pytest.mark.parametrize("body", [b"", b"[]", b'{"data":{}}', b'{"data":[{}]}', b"\xff"])
def test_malformed_bodies_are_rejected(body: bytes) -> None:
    with pytest.raises(MalformedCertificateList):
        parse_certificates(body, API_V3_KEY)


def test_wrong_api_v3_key_cannot_open_the_list(platform: Platform) -> None:
    body = build_certificates_body([platform.certificate], API_V3_KEY)
    with pytest.raises(DecryptionError):
        parse_certificates(body, "Z" * 32)
