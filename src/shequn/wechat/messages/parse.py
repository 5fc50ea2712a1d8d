"""From XML (or already parsed fields) to the typed model registered for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shequn.wechat.messages import oa_account, oa_events, oa_jobs, officialaccount, wecom
from shequn.wechat.messages.base import InboundMessage, lookup
from shequn.wechat.xmlsafe import DEFAULT_MAX_BYTES, parse_xml

__all__ = ["message_from_fields", "parse_message"]

# Importing the model modules fills the registry; keep the references so linters see the use.
_MODEL_MODULES = (officialaccount, oa_events, oa_jobs, oa_account, wecom)


def _header(fields: Mapping[str, Any], tag: str) -> str:
    value = fields.get(tag, "")
    return value.strip() if isinstance(value, str) else ""


def message_from_fields(fields: Mapping[str, Any], raw_xml: str = "") -> InboundMessage:
    """Pick the model for (MsgType, Event, ChangeType) and build it; unknown types become
    `UnknownMessage`. Raises ProtocolError when a known type carries malformed values."""
    model = lookup(
        _header(fields, "MsgType"), _header(fields, "Event"), _header(fields, "ChangeType")
    )
    return model.from_fields(fields, raw_xml)


def parse_message(xml: bytes | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> InboundMessage:
    """Parse a decrypted (or plaintext-mode) push into its typed model."""
    fields = parse_xml(xml, max_bytes=max_bytes)
    raw = xml if isinstance(xml, str) else xml.decode("utf-8", "replace")
    return message_from_fields(fields, raw)
