"""Identifiers shaped like WeChat's (lengths and alphabets clients may validate or store)."""

from __future__ import annotations

import base64
import secrets
import string

_ALNUM = string.ascii_letters + string.digits
_URLSAFE = _ALNUM + "-_"


def _pick(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def appid() -> str:
    return "wx" + secrets.token_hex(8)


def app_secret() -> str:
    return secrets.token_hex(16)


def original_id() -> str:
    return "gh_" + secrets.token_hex(6)


def openid() -> str:
    return "o" + _pick(_URLSAFE, 27)


def unionid() -> str:
    return "o" + _pick(_URLSAFE, 27)


def access_token() -> str:
    # Real tokens are ~136 chars of [A-Za-z0-9_-]; clients must reserve 512.
    return _pick(_URLSAFE, 136)


def media_id() -> str:
    return _pick(_URLSAFE, 64)


def oauth_code() -> str:
    return _pick(_ALNUM, 32)


def qr_ticket() -> str:
    return "gQ" + base64.b64encode(secrets.token_bytes(72)).decode("ascii")


def qr_path() -> str:
    return _pick(_ALNUM, 22)


def short_key() -> str:
    return _pick(_ALNUM, 15)


def nonce() -> str:
    return str(secrets.randbelow(9_000_000_000) + 1_000_000_000)


def encoding_aes_key() -> str:
    return _pick(_ALNUM, 43)


def token_secret() -> str:
    return _pick(_ALNUM, 32)
