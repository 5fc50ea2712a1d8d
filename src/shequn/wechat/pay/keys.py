"""RSA keys for Pay v3: the merchant's private key and the platform keys that sign Pay's answers.

Pay identifies the key behind a signature with `Wechatpay-Serial`: either a platform certificate
serial (hex) or a WeChat Pay public-key id (`PUB_KEY_ID_...`). `PlatformKeys` holds both kinds so
a verifier keeps working through a migration from certificates to the public key, during which
Pay switches callbacks over gradually.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.wechat.pay.errors import PayConfigurationError, UnknownSerial

PUBLIC_KEY_ID_PREFIX = "PUB_KEY_ID_"
MIN_RSA_BITS = 2048


def _as_bytes(pem: bytes | str) -> bytes:
    return pem.encode("ascii") if isinstance(pem, str) else pem


def load_private_key(pem: bytes | str) -> rsa.RSAPrivateKey:
    """Load an unencrypted PEM RSA private key (apiclient_key.pem or a platform key)."""
    try:
        key = serialization.load_pem_private_key(_as_bytes(pem), password=None)
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise PayConfigurationError(f"not a usable PEM private key: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < MIN_RSA_BITS:
        raise PayConfigurationError("Pay v3 needs an RSA private key of at least 2048 bits")
    return key


def load_public_key(pem: bytes | str) -> rsa.RSAPublicKey:
    """Load a PEM RSA public key (the WeChat Pay public key, pub_key.pem)."""
    try:
        key = serialization.load_pem_public_key(_as_bytes(pem))
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise PayConfigurationError(f"not a usable PEM public key: {exc}") from exc
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        raise PayConfigurationError("Pay v3 needs an RSA public key of at least 2048 bits")
    return key


def load_certificate(pem: bytes | str) -> x509.Certificate:
    """Load a PEM X.509 certificate (a platform certificate or the merchant API certificate)."""
    try:
        return x509.load_pem_x509_certificate(_as_bytes(pem))
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise PayConfigurationError(f"not a usable PEM certificate: {exc}") from exc


def certificate_serial(certificate: x509.Certificate) -> str:
    """The serial as Pay writes it: upper-case hex without separators."""
    return format(certificate.serial_number, "X")


def public_key_pem(key: rsa.RSAPublicKey) -> str:
    """SubjectPublicKeyInfo PEM, the format of the downloadable WeChat Pay public key."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def private_key_pem(key: rsa.RSAPrivateKey) -> str:
    """PKCS#8 PEM without encryption, the format of apiclient_key.pem."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _normalise(serial: str) -> str:
    # Certificate serials are hex and Pay has shown them in either case; public-key ids are opaque.
    return serial if serial.startswith(PUBLIC_KEY_ID_PREFIX) else serial.upper()


@dataclass(frozen=True, slots=True)
class PlatformKey:
    """One key Pay may sign with; validity bounds exist only for certificates."""

    serial: str
    public_key: rsa.RSAPublicKey
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None

    @property
    def is_public_key_id(self) -> bool:
        return self.serial.startswith(PUBLIC_KEY_ID_PREFIX)

    def valid_at(self, when: dt.datetime) -> bool:
        if self.not_before is not None and when < self.not_before:
            return False
        return not (self.not_after is not None and when > self.not_after)


class PlatformKeys:
    """The set of platform keys a merchant trusts, looked up by `Wechatpay-Serial`."""

    def __init__(self, keys: list[PlatformKey] | None = None) -> None:
        self._keys: dict[str, PlatformKey] = {}
        for key in keys or []:
            self.add(key)

    def add(self, key: PlatformKey) -> None:
        self._keys[_normalise(key.serial)] = key

    def add_public_key(self, key_id: str, public_key: rsa.RSAPublicKey | bytes | str) -> None:
        """Trust the WeChat Pay public key with id `PUB_KEY_ID_...` (public-key mode)."""
        if not key_id.startswith(PUBLIC_KEY_ID_PREFIX):
            raise PayConfigurationError(f"a WeChat Pay public-key id starts {PUBLIC_KEY_ID_PREFIX}")
        if not isinstance(public_key, rsa.RSAPublicKey):
            public_key = load_public_key(public_key)
        self.add(PlatformKey(key_id, public_key))

    def add_certificate(self, certificate: x509.Certificate | bytes | str) -> str:
        """Trust a platform certificate (certificate mode); returns its serial."""
        if not isinstance(certificate, x509.Certificate):
            certificate = load_certificate(certificate)
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise PayConfigurationError("platform certificates carry RSA keys")
        serial = certificate_serial(certificate)
        self.add(
            PlatformKey(
                serial,
                key,
                not_before=certificate.not_valid_before_utc,
                not_after=certificate.not_valid_after_utc,
            )
        )
        return serial

    def get(self, serial: str, *, at: dt.datetime | None = None) -> rsa.RSAPublicKey:
        """The public key for `serial`, or `UnknownSerial` if it is unknown or not valid `at`."""
        key = self._keys.get(_normalise(serial))
        if key is None:
            raise UnknownSerial(f"no trusted platform key has serial {serial[:64]!r}")
        if at is not None and not key.valid_at(at):
            raise UnknownSerial(f"platform certificate {serial} is not valid at {at.isoformat()}")
        return key.public_key

    def encryption_key(self, *, at: dt.datetime | None = None) -> PlatformKey:
        """The key to encrypt sensitive fields with; its serial goes into `Wechatpay-Serial`.

        The public key wins over certificates (it is Pay's current mechanism); among certificates
        the one that became valid last, as Pay's rotation guidance says.
        """
        keys = list(self._keys.values())
        for key in keys:
            if key.is_public_key_id:
                return key
        when = at or dt.datetime.now(dt.UTC)
        usable = [key for key in keys if key.valid_at(when)]
        if not usable:
            raise PayConfigurationError("no platform key is configured or currently valid")
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        return max(usable, key=lambda key: key.not_before or epoch)

    def __contains__(self, serial: object) -> bool:
        return isinstance(serial, str) and _normalise(serial) in self._keys

    def __iter__(self) -> Iterator[PlatformKey]:
        return iter(list(self._keys.values()))

    def __len__(self) -> int:
        return len(self._keys)
