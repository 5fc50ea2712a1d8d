"""Keys, certificates and a fixed clock shared by the Pay tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.wechat.pay.certificates import issue_platform_certificate
from shequn.wechat.pay.keys import PlatformKeys, certificate_serial
from tests.wechat.pay.support import NOW, PUB_KEY_ID


@dataclass(frozen=True)
class Platform:
    """Pay's side: one key behind a certificate, one behind a public-key id."""

    cert_key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    cert_serial: str
    pub_key: rsa.RSAPrivateKey
    pub_key_id: str


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def merchant_key() -> rsa.RSAPrivateKey:
    return _key()


@pytest.fixture(scope="session")
def stranger_key() -> rsa.RSAPrivateKey:
    """A key nobody trusts: signatures made with it are forgeries."""
    return _key()


@pytest.fixture(scope="session")
def platform() -> Platform:
    cert_key = _key()
    certificate = issue_platform_certificate(
        cert_key,
        serial_number=0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1,
        not_before=dt.datetime.fromtimestamp(NOW, dt.UTC) - dt.timedelta(days=30),
    )
    return Platform(cert_key, certificate, certificate_serial(certificate), _key(), PUB_KEY_ID)


@pytest.fixture
def cert_keys(platform: Platform) -> PlatformKeys:
    keys = PlatformKeys()
    keys.add_certificate(platform.certificate)
    return keys


@pytest.fixture
def pubkey_keys(platform: Platform) -> PlatformKeys:
    keys = PlatformKeys()
    keys.add_public_key(platform.pub_key_id, platform.pub_key.public_key())
    return keys


@pytest.fixture
def both_keys(platform: Platform) -> PlatformKeys:
    keys = PlatformKeys()
    keys.add_certificate(platform.certificate)
    keys.add_public_key(platform.pub_key_id, platform.pub_key.public_key())
    return keys
