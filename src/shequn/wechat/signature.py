"""Callback signatures: SHA-1 over the sorted parameters, as WeChat and WeCom compute them.

Official accounts sign the URL check and every push with `signature` over (token, timestamp, nonce);
encrypted bodies and all WeCom callbacks use `msg_signature`, which also covers the ciphertext.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from shequn.wechat.exceptions import InvalidSignature

__all__ = [
    "is_timestamp_fresh",
    "sha1_signature",
    "verify_msg_signature",
    "verify_url_signature",
]


def sha1_signature(*parts: str) -> str:
    """Lower-case hex SHA-1 of the parts sorted and concatenated without separators.

    Python's code-point order equals the byte order of UTF-8, which is what WeChat's
    (PHP `sort(SORT_STRING)`) reference implementation sorts by.
    """
    joined = "".join(sorted(parts))
    # SHA-1 is fixed by the protocol; it is not our choice to upgrade.
    return hashlib.sha1(  # noqa: S324
        joined.encode("utf-8", "surrogatepass")
    ).hexdigest()


def _check(expected: str, given: str, what: str) -> None:
    # Encode first: compare_digest refuses non-ASCII str, and a forged value may contain anything.
    given_bytes = given.strip().lower().encode("utf-8", "surrogatepass")
    if not hmac.compare_digest(expected.encode("ascii"), given_bytes):
        raise InvalidSignature(f"{what} does not match")


def verify_url_signature(token: str, timestamp: str, nonce: str, signature: str) -> None:
    """Check the `signature` query parameter of an official-account GET check or POST push."""
    _check(sha1_signature(token, timestamp, nonce), signature, "signature")


def verify_msg_signature(
    token: str, timestamp: str, nonce: str, encrypt: str, msg_signature: str
) -> None:
    """Check `msg_signature`, which covers the ciphertext (or WeCom's encrypted echostr) too."""
    _check(sha1_signature(token, timestamp, nonce, encrypt), msg_signature, "msg_signature")


def is_timestamp_fresh(
    timestamp: str, *, max_skew_seconds: int = 300, now: float | None = None
) -> bool:
    """Whether a callback timestamp is within `max_skew_seconds` of now.

    Retries of one push reuse the original timestamp (up to ~15 s later), so keep the window
    generously above that; a replay defence still needs the dedupe store.
    """
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        return False
    current = time.time() if now is None else now
    return abs(current - int(timestamp)) <= max_skew_seconds
