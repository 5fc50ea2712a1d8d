"""Checks on the text + attachments payload shared by welcome messages and mass messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.errors.validation import check_bytes, check_count

ATTACHMENT_TYPES = frozenset({"image", "link", "miniprogram", "video", "file"})


def check_message(text: str | None, attachments: Sequence[Mapping[str, Any]]) -> None:
    """Text ≤4000 bytes; ≤9 attachments of known types with their byte limits."""
    check_bytes("text.content", text, 4000)
    check_count("attachments", attachments, 9)
    if not text and not attachments:
        raise InvalidRequest("text", "text and attachments cannot both be empty")
    for i, item in enumerate(attachments):
        msgtype = item.get("msgtype")
        if msgtype not in ATTACHMENT_TYPES:
            raise InvalidRequest(f"attachments[{i}].msgtype", f"unknown type {msgtype!r}")
        body = item.get(str(msgtype))
        if not isinstance(body, Mapping):
            raise InvalidRequest(f"attachments[{i}].{msgtype}", "missing")
        if msgtype == "link":
            check_bytes(f"attachments[{i}].link.title", body.get("title"), 128)
            check_bytes(f"attachments[{i}].link.desc", body.get("desc"), 512)
            check_bytes(f"attachments[{i}].link.url", body.get("url"), 2048)
            check_bytes(f"attachments[{i}].link.picurl", body.get("picurl"), 2048)
        if msgtype == "miniprogram":
            check_bytes(f"attachments[{i}].miniprogram.title", body.get("title"), 64)
