"""The common shape of every inbound push, field converters and the type registry.

Models declare which XML element feeds each attribute through the `text`/`integer`/`number`/
`nested` field helpers; `InboundMessage.from_fields` does the conversion, so a malformed value
becomes a `ProtocolError` instead of a ValueError deep in a handler.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, Self, TypeVar

from shequn.wechat.exceptions import ProtocolError

__all__ = [
    "InboundMessage",
    "Platform",
    "UnknownMessage",
    "child_float",
    "child_int",
    "child_text",
    "integer",
    "lookup",
    "mapping_of",
    "nested",
    "number",
    "register",
    "text",
]

Platform = Literal["officialaccount", "wecom"]
T = TypeVar("T")
M = TypeVar("M", bound="type[InboundMessage]")

_SPEC = "shequn.wechat.xml"
_INT = re.compile(r"[+-]?[0-9]{1,20}\Z")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?\Z")
# datetime cannot represent later instants; a CreateTime beyond this is garbage, not a date.
_MAX_TIMESTAMP = 253402300799

Converter = Callable[[Any, str], Any]


@dataclass(frozen=True, slots=True)
class _Spec:
    tag: str
    convert: Converter
    required: bool = False


def _as_text(value: Any, tag: str) -> str:
    if isinstance(value, str):
        return value
    raise ProtocolError(f"<{tag}> must be text")


def _as_int(value: Any, tag: str) -> int | None:
    raw = _as_text(value, tag).strip()
    if raw == "":
        return None
    if not _INT.match(raw):
        raise ProtocolError(f"<{tag}> must be an integer")
    return int(raw)


def _as_float(value: Any, tag: str) -> float | None:
    raw = _as_text(value, tag).strip()
    if raw == "":
        return None
    if not _FLOAT.match(raw):
        raise ProtocolError(f"<{tag}> must be a number")
    result = float(raw)
    if not math.isfinite(result):
        raise ProtocolError(f"<{tag}> must be a finite number")
    return result


def mapping_of(value: Any) -> dict[str, Any]:
    """A nested element as a dict; an empty element (parsed as "") counts as empty."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and not value.strip():
        return {}
    raise ProtocolError("expected nested elements")


def child_text(parent: Any, tag: str) -> str:
    """Text of child `tag` of a nested element ("" when absent)."""
    return _as_text(mapping_of(parent).get(tag, ""), tag)


def child_int(parent: Any, tag: str) -> int | None:
    """Integer child of a nested element (None when absent or empty)."""
    return _as_int(mapping_of(parent).get(tag, ""), tag)


def child_float(parent: Any, tag: str) -> float | None:
    """Decimal child of a nested element (None when absent or empty)."""
    return _as_float(mapping_of(parent).get(tag, ""), tag)


def text(tag: str, *, required: bool = False) -> str:
    """An attribute read from the text of element `tag` ("" when absent)."""
    return field(default="", metadata={_SPEC: _Spec(tag, _as_text, required)})


def integer(tag: str) -> int | None:
    """An attribute read from an integer element (None when absent or empty)."""
    return field(default=None, metadata={_SPEC: _Spec(tag, _as_int)})


def number(tag: str) -> float | None:
    """An attribute read from a decimal element such as a coordinate (None when absent)."""
    return field(default=None, metadata={_SPEC: _Spec(tag, _as_float)})


def nested(tag: str, convert: Callable[[Any], T], empty: T) -> T:
    """An attribute built by `convert` from a nested element; `empty` when absent."""

    def run(value: Any, element: str) -> T:
        try:
            return convert(value)
        except ProtocolError:
            raise
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise ProtocolError(f"<{element}> has an unexpected shape") from exc

    return field(default=empty, metadata={_SPEC: _Spec(tag, run)})


def _create_time(value: Any, tag: str) -> int:
    result = _as_int(value, tag)
    if result is None or not 0 <= result <= _MAX_TIMESTAMP:
        raise ProtocolError(f"<{tag}> must be a Unix timestamp")
    return result


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMessage:
    """A message or event pushed to our callback URL, after decryption.

    `fields` keeps every parsed element (also those this model does not name) and `raw_xml`
    the packet as received, so nothing WeChat adds later is lost.
    """

    platform: ClassVar[Platform] = "officialaccount"

    to_user: str = text("ToUserName", required=True)
    from_user: str = text("FromUserName", required=True)
    create_time: int = field(
        default=0, metadata={_SPEC: _Spec("CreateTime", _create_time, required=True)}
    )
    msg_type: str = text("MsgType", required=True)
    event: str = text("Event")
    fields: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    raw_xml: str = field(default="", repr=False, compare=False)

    @property
    def created_at(self) -> datetime:
        """CreateTime as an aware UTC datetime."""
        return datetime.fromtimestamp(self.create_time, tz=UTC)

    @property
    def dedupe_key(self) -> str:
        """A key that is equal for WeChat's retries of one push and differs between pushes.

        Events without ids fall back to sender + CreateTime + event, per WeChat's guidance;
        the event name is included because LOCATION and unsubscribe can share a second.
        """
        return self._key("event", self.from_user, str(self.create_time), self.event)

    def _key(self, *parts: str) -> str:
        return ":".join((self.platform, self.to_user, *parts))

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any], raw_xml: str = "") -> Self:
        """Build the model from parsed fields, converting and validating each declared one."""
        kwargs: dict[str, Any] = {}
        for attribute in dataclasses.fields(cls):
            spec = attribute.metadata.get(_SPEC)
            if not isinstance(spec, _Spec):
                continue
            if spec.tag in fields:
                kwargs[attribute.name] = spec.convert(fields[spec.tag], spec.tag)
            elif spec.required and cls._strict:
                raise ProtocolError(f"<{spec.tag}> is missing")
        return cls(**kwargs, fields=dict(fields), raw_xml=raw_xml)

    _strict: ClassVar[bool] = True


@dataclass(frozen=True, slots=True, kw_only=True)
class UnknownMessage(InboundMessage):
    """A push of a type this library does not model; `fields` and `raw_xml` hold everything."""

    _strict: ClassVar[bool] = False
    change_type: str = text("ChangeType")

    @property
    def dedupe_key(self) -> str:
        msg_id = self.fields.get("MsgId") or self.fields.get("MsgID")
        if isinstance(msg_id, str) and msg_id:
            return self._key("msg", self.from_user, msg_id)
        return self._key(
            "unknown",
            self.from_user,
            str(self.create_time),
            self.msg_type,
            self.event,
            self.change_type,
        )


_REGISTRY: dict[tuple[str, str, str], type[InboundMessage]] = {}


def register(msg_type: str, event: str = "", change_type: str = "") -> Callable[[M], M]:
    """Class decorator: route pushes with this (MsgType, Event, ChangeType) to the class.

    Matching ignores case (WeChat mixes `SCAN` with `subscribe`). An empty `change_type`
    registers the fallback for every ChangeType of that event without its own class.
    """
    key = (msg_type.lower(), event.lower(), change_type.lower())

    def decorate(cls: M) -> M:
        if key in _REGISTRY:
            raise ValueError(f"{key} is already registered to {_REGISTRY[key].__name__}")
        _REGISTRY[key] = cls
        return cls

    return decorate


def lookup(msg_type: str, event: str = "", change_type: str = "") -> type[InboundMessage]:
    """The class registered for these values, its event's fallback, or UnknownMessage."""
    key = (msg_type.lower(), event.lower(), change_type.lower())
    found = _REGISTRY.get(key) or _REGISTRY.get((key[0], key[1], ""))
    return found if found is not None else UnknownMessage


def registered() -> Mapping[tuple[str, str, str], type[InboundMessage]]:
    """A read-only view of the registry (for documentation and tests)."""
    return dict(_REGISTRY)
