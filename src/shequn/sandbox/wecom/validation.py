"""Field checks shared by the customer-contact endpoints, answering WeCom's error codes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, TypeVar

from shequn.sandbox.wecom.errors import wecom_error

T = TypeVar("T")

MAX_ATTACHMENTS = 9
MAX_TEXT_BYTES = 4000
ATTACHMENT_TYPES = ("image", "link", "miniprogram", "video", "file")


def chars(name: str, value: Any, limit: int) -> None:
    """At most `limit` characters (WeCom counts characters for state, remark, names)."""
    if value is None:
        return
    if not isinstance(value, str) or len(value) > limit:
        raise wecom_error(40058, f"{name} exceeds {limit} characters")


def int_in(name: str, value: Any, low: int, high: int, *, missing: int = 40058) -> int:
    if value is None:
        raise wecom_error(missing, f"{name} missing")
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise wecom_error(40058, f"{name} must be within {low}..{high}")
    return int(value)


def str_list(name: str, value: Any, limit: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise wecom_error(40058, f"{name} must be a list of strings")
    if len(value) > limit:
        raise wecom_error(40058, f"{name} exceeds {limit} items")
    return list(value)


def message(body: dict[str, Any]) -> None:
    """Welcome and mass messages: text ≤4000 bytes, ≤9 attachments of the known types."""
    text = (body.get("text") or {}).get("content") if isinstance(body.get("text"), dict) else None
    attachments = body.get("attachments") or []
    if not isinstance(attachments, list):
        raise wecom_error(40058, "attachments must be a list")
    if not text and not attachments:
        raise wecom_error(40058, "text and attachments cannot both be empty")
    if text is not None and len(str(text).encode("utf-8")) > MAX_TEXT_BYTES:
        raise wecom_error(40058, f"text.content exceeds {MAX_TEXT_BYTES} bytes")
    if len(attachments) > MAX_ATTACHMENTS:
        raise wecom_error(40058, f"at most {MAX_ATTACHMENTS} attachments")
    for item in attachments:
        if not isinstance(item, dict) or item.get("msgtype") not in ATTACHMENT_TYPES:
            raise wecom_error(41065)
        if not isinstance(item.get(item["msgtype"]), dict):
            raise wecom_error(41065, f"{item['msgtype']} body missing")


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: Any) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(str(cursor) + "=" * (-len(str(cursor)) % 4)).decode()
        if not raw.startswith("o:"):
            raise ValueError(raw)
        return max(0, int(raw[2:]))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise wecom_error(50100) from exc


def page(items: Sequence[T], cursor: Any, limit: int) -> tuple[list[T], str]:
    """One page and the next cursor ("" when this was the last page)."""
    start = decode_cursor(cursor)
    chunk = list(items[start : start + limit])
    more = start + limit < len(items)
    return chunk, encode_cursor(start + limit) if more else ""
