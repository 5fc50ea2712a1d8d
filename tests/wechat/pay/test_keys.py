"""Loading merchant and platform keys, and choosing the key for sensitive fields."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.wechat.exceptions import ConfigurationError, DecryptionError
from shequn.wechat.pay.certificates import issue_platform_certificate
from shequn.wechat.pay.keys import (
    PlatformKeys,
    load_certificate,
    load_private_key,
    load_public_key,
    private_key_pem,
    public_key_pem,
)
from shequn.wechat.pay.sensitive import decrypt_sensitive, encrypt_sensitive
from tests.wechat.pay.conftest import Platform
from tests.wechat.pay.support import NOW, PUB_KEY_ID


def test_pem_round_trips(merchant_key: rsa.RSAPrivateKey) -> None:
    loaded = load_private_key(private_key_pem(merchant_key))
    assert loaded.private_numbers() == merchant_key.private_numbers()
    assert load_public_key(public_key_pem(merchant_key.public_key())).key_size == 2048


@pytest.mark.parametrize("loader", [load_private_key, load_public_key, load_certificate])
def test_garbage_pem_is_a_configuration_error(loader: object) -> None:
    with pytest.raises(ConfigurationError):
        loader("-----BEGIN NOTHING-----\nabc\n-----END NOTHING-----\n")  # type: ignore[operator]


def test_short_rsa_keys_are_refused() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point is refusing it
    with pytest.raises(ConfigurationError):
        load_private_key(private_key_pem(weak))
    with pytest.raises(ConfigurationError):
        load_public_key(public_key_pem(weak.public_key()))


def test_public_key_id_must_have_its_prefix(platform: Platform) -> None:
    with pytest.raises(ConfigurationError):
        PlatformKeys().add_public_key("0114232134912410000000000000", platform.pub_key.public_key())


def test_encryption_key_prefers_public_key_then_newest_certificate(platform: Platform) -> None:
    start = dt.datetime.fromtimestamp(NOW, dt.UTC)
    older = issue_platform_certificate(
        platform.cert_key, serial_number=0x01, not_before=start - dt.timedelta(days=90)
    )
    keys = PlatformKeys()
    keys.add_certificate(older)
    keys.add_certificate(platform.certificate)  # valid from 30 days ago: the newest
    assert keys.encryption_key(at=start).serial == platform.cert_serial
    keys.add_public_key(PUB_KEY_ID, platform.pub_key.public_key())
    assert keys.encryption_key(at=start).serial == PUB_KEY_ID
    with pytest.raises(ConfigurationError):
        PlatformKeys().encryption_key()


def test_sensitive_field_round_trip_and_wrong_key(
    platform: Platform, merchant_key: rsa.RSAPrivateKey
) -> None:
    sealed = encrypt_sensitive(platform.pub_key.public_key(), "张三")
    assert decrypt_sensitive(platform.pub_key, sealed) == "张三"
    with pytest.raises(DecryptionError):
        decrypt_sensitive(merchant_key, sealed)
