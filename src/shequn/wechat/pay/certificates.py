"""Platform certificates: the `GET /v3/certificates` download, both sides of it.

The response is `{"data": [{"serial_no", "effective_time", "expire_time", "encrypt_certificate":
{"algorithm", "nonce", "associated_data", "ciphertext"}}]}`; each certificate PEM is encrypted with
the APIv3 key (associated_data "certificate"). The download itself is signed by a platform key, so
the very first download needs a key trusted beforehand or an out-of-band check of the result.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from shequn.wechat.exceptions import ProtocolError
from shequn.wechat.pay.aead import decrypt_resource, encrypt_resource
from shequn.wechat.pay.errors import PayError
from shequn.wechat.pay.keys import PlatformKeys, certificate_serial, load_certificate
from shequn.wechat.pay.verification import ResponseVerifier

if TYPE_CHECKING:
    from shequn.wechat.pay.client import PayClient

CERTIFICATES_PATH = "/v3/certificates"
CERTIFICATE_ASSOCIATED_DATA = "certificate"


class MalformedCertificateList(ProtocolError, PayError):
    """The certificate download is not the documented shape, or a certificate is mislabelled."""


@dataclass(frozen=True, slots=True)
class DownloadedCertificate:
    serial_no: str
    certificate: x509.Certificate
    effective_time: str
    expire_time: str


def parse_certificates(body: bytes | str, api_v3_key: str | bytes) -> list[DownloadedCertificate]:
    """Decrypt every certificate in a (signature-verified) `/v3/certificates` response body."""
    try:
        document = json.loads(body)
        entries = document["data"]
        if not isinstance(entries, list):
            raise TypeError("data is not a list")
        result = []
        for entry in entries:
            sealed = entry["encrypt_certificate"]
            pem = decrypt_resource(
                api_v3_key,
                ciphertext=sealed["ciphertext"],
                nonce=sealed["nonce"],
                associated_data=sealed.get("associated_data", ""),
            )
            certificate = load_certificate(pem)
            serial = str(entry["serial_no"])
            # The serial outside the ciphertext is only a label; the certificate is the truth.
            if certificate_serial(certificate) != serial.upper():
                raise MalformedCertificateList(f"serial_no {serial} does not match its certificate")
            result.append(
                DownloadedCertificate(
                    serial,
                    certificate,
                    str(entry.get("effective_time", "")),
                    str(entry.get("expire_time", "")),
                )
            )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MalformedCertificateList(f"unexpected /v3/certificates body: {exc}") from exc
    return result


def build_certificates_body(
    certificates: Iterable[x509.Certificate], api_v3_key: str | bytes
) -> bytes:
    """Platform side: the `/v3/certificates` response body for the given certificates."""
    data = []
    for certificate in certificates:
        pem = certificate.public_bytes(serialization.Encoding.PEM)
        sealed = encrypt_resource(api_v3_key, pem, associated_data=CERTIFICATE_ASSOCIATED_DATA)
        data.append(
            {
                "serial_no": certificate_serial(certificate),
                "effective_time": _rfc3339(certificate.not_valid_before_utc),
                "expire_time": _rfc3339(certificate.not_valid_after_utc),
                "encrypt_certificate": sealed.as_dict(),
            }
        )
    return json.dumps({"data": data}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rfc3339(when: dt.datetime) -> str:
    # Pay writes times in China Standard Time with an explicit offset.
    return when.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")


def issue_platform_certificate(
    private_key: rsa.RSAPrivateKey,
    *,
    serial_number: int,
    not_before: dt.datetime,
    valid_for: dt.timedelta = dt.timedelta(days=5 * 365),
    common_name: str = "Tenpay.com Root CA",
) -> x509.Certificate:
    """Self-signed platform certificate for a sandbox or tests (real ones come from Pay's CA)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(serial_number)
        .not_valid_before(not_before)
        .not_valid_after(not_before + valid_for)
        .sign(private_key, hashes.SHA256())
    )


async def download_certificates(
    pay: PayClient, api_v3_key: str | bytes, *, bootstrap: bool = False
) -> list[DownloadedCertificate]:
    """Fetch and decrypt the platform certificates, adding them to `pay.platform_keys`.

    Normally the answer must verify with a key already trusted. With `bootstrap=True` (first
    run, nothing trusted yet) it is verified with the certificates it contains instead: that the
    APIv3 key decrypted them already shows they come from Pay, and the signature then proves the
    body was not altered. Compare the serials with the merchant platform if in doubt.
    """
    response = await pay.request("GET", CERTIFICATES_PATH, verify=not bootstrap)
    downloaded = parse_certificates(response.body, api_v3_key)
    if bootstrap:
        own = PlatformKeys()
        for item in downloaded:
            own.add_certificate(item.certificate)
        ResponseVerifier(own, max_skew=pay.verifier.max_skew, now=pay.verifier.now).verify(
            response.headers, response.body
        )
    for item in downloaded:
        pay.platform_keys.add_certificate(item.certificate)
    return downloaded
