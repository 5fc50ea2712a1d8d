"""WeChat Pay merchants as the sandbox keeps them.

A merchant document ("pay_merchant", "", mchid): mchid, merchant_serial and the merchant's public
key (PEM, or taken from merchant_certificate) that verifies request signatures; the platform key
pair that signs answers and notifications, identified in public-key mode by a `PUB_KEY_ID_...`
and in certificate mode by the serial of a self-issued platform certificate; api_v3_key;
balance_fen and reserved_fen (held by unfinished bills); notify_url (overrides the bills' own,
so an https notify_url can reach a local receiver); appids and scenes (None = any);
duplicate_rate. Without a merchant key the sandbox makes one and hands out its private key.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.sandbox.context import Sandbox
from shequn.sandbox.state import Doc
from shequn.wechat.pay.certificates import issue_platform_certificate
from shequn.wechat.pay.keys import (
    certificate_serial,
    load_certificate,
    load_private_key,
    load_public_key,
    private_key_pem,
    public_key_pem,
)

MERCHANT = "pay_merchant"
MODES = ("public_key", "certificate")
DEFAULT_BALANCE_FEN = 1_000_000
_KEY_CHARS = string.ascii_letters + string.digits


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def create_merchant(sandbox: Sandbox, **fields: Any) -> Doc:
    mchid = str(fields.get("mchid") or f"19{secrets.randbelow(10**8):08d}")
    if get_merchant(sandbox, mchid) is not None:
        raise ValueError(f"merchant {mchid} exists")
    mode = fields.get("platform_mode", "public_key")
    if mode not in MODES:
        raise ValueError(f"platform_mode must be one of {MODES}")
    api_v3_key = fields.get("api_v3_key") or "".join(secrets.choice(_KEY_CHARS) for _ in range(32))
    if len(str(api_v3_key).encode()) != 32:
        raise ValueError("api_v3_key must be 32 bytes")
    merchant: Doc = {
        "mchid": mchid,
        "merchant_serial": str(fields.get("merchant_serial") or secrets.token_hex(20).upper()),
        "api_v3_key": api_v3_key,
        "platform_mode": mode,
        "balance_fen": int(fields.get("balance_fen", DEFAULT_BALANCE_FEN)),
        "reserved_fen": 0,
        "notify_url": fields.get("notify_url"),
        "appids": fields.get("appids"),
        "scenes": fields.get("scenes"),
        "duplicate_rate": fields.get("duplicate_rate"),
    }
    _merchant_key(merchant, fields)
    _platform_key(merchant, fields, sandbox.now())
    save_merchant(sandbox, merchant)
    return merchant


def _merchant_key(merchant: Doc, fields: dict[str, Any]) -> None:
    if fields.get("merchant_certificate"):
        cert = load_certificate(fields["merchant_certificate"])
        key = cert.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError("the merchant certificate must carry an RSA key")
        merchant["merchant_public_key"] = public_key_pem(key)
        merchant["merchant_serial"] = certificate_serial(cert)
    elif fields.get("merchant_public_key"):
        merchant["merchant_public_key"] = public_key_pem(
            load_public_key(fields["merchant_public_key"])
        )
    else:
        private = _new_key()
        merchant["merchant_private_key"] = private_key_pem(private)
        merchant["merchant_public_key"] = public_key_pem(private.public_key())


def _platform_key(merchant: Doc, fields: dict[str, Any], now: float) -> None:
    private = (
        load_private_key(fields["platform_private_key"])
        if fields.get("platform_private_key")
        else _new_key()
    )
    merchant["platform_private_key"] = private_key_pem(private)
    merchant["platform_public_key"] = public_key_pem(private.public_key())
    if merchant["platform_mode"] == "public_key":
        merchant["platform_serial"] = str(
            fields.get("public_key_id") or f"PUB_KEY_ID_{secrets.randbelow(10**30):030d}"
        )
        merchant["platform_certificate"] = None
        return
    issued = dt.datetime.fromtimestamp(now, dt.UTC) - dt.timedelta(days=1)
    cert = issue_platform_certificate(
        private, serial_number=secrets.randbits(120) | 1, not_before=issued
    )
    from cryptography.hazmat.primitives import serialization

    merchant["platform_certificate"] = cert.public_bytes(serialization.Encoding.PEM).decode()
    merchant["platform_serial"] = certificate_serial(cert)


UPDATABLE = {"balance_fen", "notify_url", "appids", "scenes", "duplicate_rate"}


def update_merchant(sandbox: Sandbox, mchid: str, **fields: Any) -> Doc:
    merchant = require_merchant(sandbox, mchid)
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    merchant.update(fields)
    save_merchant(sandbox, merchant)
    return merchant


def top_up(sandbox: Sandbox, mchid: str, amount_fen: int) -> Doc:
    with sandbox.store.transaction():
        merchant = require_merchant(sandbox, mchid)
        merchant["balance_fen"] += int(amount_fen)
        save_merchant(sandbox, merchant)
    return merchant


def get_merchant(sandbox: Sandbox, mchid: str) -> Doc | None:
    return sandbox.store.get(MERCHANT, "", mchid)


def require_merchant(sandbox: Sandbox, mchid: str) -> Doc:
    merchant = get_merchant(sandbox, mchid)
    if merchant is None:
        raise KeyError(f"merchant {mchid}")
    return merchant


def save_merchant(sandbox: Sandbox, merchant: Doc) -> None:
    sandbox.store.put(MERCHANT, "", merchant["mchid"], merchant)


def list_merchants(sandbox: Sandbox) -> list[Doc]:
    return [public_view(m) for m in sandbox.store.list(MERCHANT, "")]


def public_view(merchant: Doc) -> Doc:
    """Everything except the platform's private key (which stays Pay's secret)."""
    view = {k: v for k, v in merchant.items() if k != "platform_private_key"}
    view["available_fen"] = merchant["balance_fen"] - merchant["reserved_fen"]
    return view


def platform_key(merchant: Doc) -> rsa.RSAPrivateKey:
    return load_private_key(merchant["platform_private_key"])
