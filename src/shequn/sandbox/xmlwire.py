"""XML as WeChat pushes it: nested elements, `item` lists, CDATA strings, bare integers.

The protocol library's xmlsafe handles flat packets; callbacks such as MASSSENDJOBFINISH and
PUBLISHJOBFINISH nest (CopyrightCheckResult, PublishEventInfo/article_detail/item), so the sandbox
keeps this small renderer and a defusedxml-based reader for passive replies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from defusedxml import ElementTree

from shequn.wechat.exceptions import MalformedXML


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA; split it across two sections as WeChat does.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _render_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "".join(_render_field(k, v) for k, v in value.items())
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return "".join(f"<item>{_render_value(v)}</item>" for v in value)
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return _cdata("" if value is None else str(value))


def _render_field(key: str, value: Any) -> str:
    # A list under "item" repeats the element itself (<item>..</item><item>..</item>); a list
    # under any other key wraps <item> children (<ResultList><item>..</item></ResultList>).
    if key == "item" and isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return "".join(f"<item>{_render_value(v)}</item>" for v in value)
    return f"<{key}>{_render_value(value)}</{key}>"


def to_xml(packet: Mapping[str, Any]) -> str:
    """`{"A": "x", "B": 1, "C": {"D": [..]}}` → `<xml><A><![CDATA[x]]></A><B>1</B>...</xml>`."""
    return "<xml>" + _render_value(packet) + "</xml>"


def _element_to_value(elem: Any) -> Any:
    children = list(elem)
    if not children:
        return elem.text or ""
    if all(child.tag == "item" for child in children):
        return [_element_to_value(child) for child in children]
    out: dict[str, Any] = {}
    for child in children:
        value = _element_to_value(child)
        if child.tag in out:  # repeated elements (e.g. <item> next to <count>) become a list
            previous = out[child.tag]
            out[child.tag] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[child.tag] = value
    return out


def from_xml(data: bytes | str) -> dict[str, Any]:
    """Parse a packet, refusing DTDs and entities; raises MalformedXML."""
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except Exception as exc:
        raise MalformedXML(str(exc)) from exc
    value = _element_to_value(root)
    if not isinstance(value, dict):
        raise MalformedXML("the root element has no child elements")
    return value
