"""Safe XML in and out for WeChat's `<xml>` packets.

Inbound XML comes from the internet before any signature is trusted, so parsing is deliberately
narrow: UTF-8 only, no DTD (hence no entity expansion and no external references), no processing
instructions, a size cap checked before parsing and a nesting cap enforced while parsing.
Every failure surfaces as a `shequn.wechat` exception.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn
from xml.parsers import expat

from shequn.wechat.exceptions import MalformedXML, PayloadTooLarge

__all__ = ["DEFAULT_MAX_BYTES", "as_list", "cdata", "parse_xml", "render_xml"]

DEFAULT_MAX_BYTES = 256 * 1024
# WeChat's deepest documented packet (MASSSENDJOBFINISH) nests five levels below <xml>.
DEFAULT_MAX_DEPTH = 16

# Characters XML 1.0 allows; anything else (control characters, lone surrogates) cannot be
# represented even inside CDATA, so render_xml drops it rather than emit an ill-formed document.
_INVALID_XML_CHARS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")


class _ForbiddenConstructError(Exception):
    """Raised from inside expat callbacks to abort parsing."""


def _forbid(what: str) -> Any:
    def handler(*_args: object) -> NoReturn:
        raise _ForbiddenConstructError(what)

    return handler


class _Node:
    __slots__ = ("children", "name", "text")

    def __init__(self, name: str) -> None:
        self.name = name
        self.children: list[_Node] = []
        self.text: list[str] = []


def parse_xml(
    data: bytes | str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    root: str | None = "xml",
) -> dict[str, Any]:
    """Parse a WeChat packet into a dict of the root's children.

    Leaves become strings (CDATA or not), elements with children become dicts, and a name that
    repeats among siblings becomes a list. Attributes are ignored (WeChat uses none). `root`
    names the required root element; None accepts any.
    """
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MalformedXML("text is not encodable as UTF-8") from exc
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"body is {len(data)} bytes, the limit is {max_bytes}")
    top = _build_tree(data, max_depth)
    if root is not None and top.name != root:
        raise MalformedXML(f"root element is <{top.name}>, expected <{root}>")
    value = _to_value(top)
    return value if isinstance(value, dict) else {}


def _build_tree(data: bytes, max_depth: int) -> _Node:
    # Forcing UTF-8 also refuses documents that declare another encoding to smuggle bytes past us.
    parser = expat.ParserCreate(encoding="UTF-8")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _forbid("DTD")
    parser.EntityDeclHandler = _forbid("entity declaration")
    parser.UnparsedEntityDeclHandler = _forbid("entity declaration")
    parser.NotationDeclHandler = _forbid("notation declaration")
    parser.ExternalEntityRefHandler = _forbid("external entity")
    parser.ProcessingInstructionHandler = _forbid("processing instruction")

    stack: list[_Node] = []
    roots: list[_Node] = []

    def start(name: str, _attrs: dict[str, str]) -> None:
        if len(stack) >= max_depth:
            raise _ForbiddenConstructError(f"nesting deeper than {max_depth}")
        node = _Node(name)
        if stack:
            stack[-1].children.append(node)
        else:
            roots.append(node)
        stack.append(node)

    def end(_name: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        # Text outside the root is impossible in well-formed XML, expat rejects it first.
        stack[-1].text.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except _ForbiddenConstructError as exc:
        raise MalformedXML(f"forbidden XML construct: {exc}") from None
    except expat.ExpatError as exc:
        raise MalformedXML(f"not well-formed XML: {expat.ErrorString(exc.code)}") from None
    return roots[0]


def _to_value(node: _Node) -> str | dict[str, Any]:
    if not node.children:
        return "".join(node.text)
    # Recursion is bounded: the parser already refused anything deeper than max_depth.
    grouped: dict[str, list[Any]] = {}
    for child in node.children:
        grouped.setdefault(child.name, []).append(_to_value(child))
    return {name: vals[0] if len(vals) == 1 else vals for name, vals in grouped.items()}


def as_list(value: Any) -> list[Any]:
    """Normalise a parsed value to a list: one element, repeated elements or an empty element.

    WeChat sends a single `<item>` as a lone element and several as repeats; `<List></List>`
    with no children parses as "" and means "none".
    """
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [value]


def cdata(text: str) -> str:
    """Wrap text in CDATA, splitting any `]]>` so the section cannot be closed early."""
    clean = _INVALID_XML_CHARS.sub("", text)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_xml(root_fields: Mapping[str, Any], *, root: str = "xml") -> str:
    """Render a WeChat packet: strings as CDATA, ints as plain numbers, mappings as nested
    elements, sequences as repeated elements of the same name; None values are omitted.

    Characters XML cannot carry (control characters, lone surrogates) are dropped.
    """
    parts: list[str] = []
    _render_element(parts, root, root_fields)
    return "".join(parts)


def _render_element(parts: list[str], name: str, value: Any) -> None:
    if not _XML_NAME.match(name):
        raise ValueError(f"invalid XML element name: {name!r}")
    if value is None:
        return
    if isinstance(value, Mapping):
        parts.append(f"<{name}>")
        for key, child in value.items():
            if not isinstance(key, str):
                raise TypeError(f"element names must be str, got {type(key).__name__}")
            _render_element(parts, key, child)
        parts.append(f"</{name}>")
    elif isinstance(value, str):
        parts.append(f"<{name}>{cdata(value)}</{name}>")
    elif isinstance(value, bool):
        raise TypeError(f"<{name}>: booleans have no WeChat XML form; pass an int or str")
    elif isinstance(value, int):
        parts.append(f"<{name}>{value}</{name}>")
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        for item in value:
            _render_element(parts, name, item)
    else:
        raise TypeError(f"<{name}>: cannot render {type(value).__name__}")
