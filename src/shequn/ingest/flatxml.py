"""A fast path for the plain, flat XML WeChat actually sends, with the safe parser as fallback.

Most pushes are `<xml>` with one level of children, each either CDATA or plain text without
entities. For exactly that shape a regular expression yields the same dict as
`shequn.wechat.xmlsafe.parse_xml` at a fraction of the cost; anything else (nesting, entities,
repeated names, a DTD, a declaration, carriage returns, control characters, invalid UTF-8) is
handed to the full parser unchanged, which accepts or refuses it as before.
"""

from __future__ import annotations

import re
from typing import Any

from shequn.wechat.xmlsafe import parse_xml

MAX_BYTES = 64 * 1024

_ELEMENT = re.compile(
    r"[ \t\n]*<([A-Za-z_][A-Za-z0-9_]{0,63})>"
    r"(?:<!\[CDATA\[(.*?)\]\]>|([^<>&\]\r]*))"
    r"</\1>",
    re.DOTALL,
)
_CLOSE = re.compile(r"[ \t\n]*</xml>[ \t\n]*\Z")
# Characters XML 1.0 forbids, or that expat would normalise (\r): leave them to the parser.
_AWKWARD = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")

# The envelope WeChat actually sends, matched on bytes in one pass: `<xml>`, simple elements
# whose content is printable ASCII (CDATA or text without markup), exactly one <Encrypt> whose
# CDATA is base64, `</xml>`. Whatever else the body holds goes to the full parser.
_OTHER = (
    rb"(?:<(?!Encrypt>)([A-Za-z_][A-Za-z0-9_]{0,63})>"
    rb"(?:<!\[CDATA\[[\x20-\x5c\x5e-\x7e]*\]\]>|[\x20-\x25\x27-\x3b\x3d\x3f-\x5c\x5e-\x7e]*)"
    rb"</\%d>[ \t\n]*)*"
)
_ENVELOPE = re.compile(
    rb"<xml>[ \t\n]*"
    + _OTHER % 1
    + rb"<Encrypt><!\[CDATA\[([A-Za-z0-9+/=]+)\]\]></Encrypt>[ \t\n]*"
    + _OTHER % 3
    + rb"</xml>[ \t\n]*\Z"
)


def envelope_ciphertext(body: bytes) -> str | None:
    """The <Encrypt> text of a flat encrypted packet; None sends it to the full parser."""
    if len(body) > MAX_BYTES:
        return None
    found = _ENVELOPE.match(body)
    return found.group(2).decode("ascii") if found is not None else None


def flat_fields(xml: bytes) -> dict[str, Any]:
    """The packet's fields as `parse_xml` returns them; refuses what `parse_xml` refuses."""
    fields = _flat(xml)
    return fields if fields is not None else parse_xml(xml, max_bytes=MAX_BYTES)


def _flat(xml: bytes) -> dict[str, Any] | None:
    if len(xml) > MAX_BYTES or not xml.startswith(b"<xml>"):
        return None
    try:
        text = xml.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _AWKWARD.search(text):
        return None
    fields: dict[str, Any] = {}
    position = 5
    while True:
        found = _ELEMENT.match(text, position)
        if found is None:
            break
        name = found.group(1)
        if name in fields:
            return None  # repeated names become lists: the parser's business
        cdata = found.group(2)
        fields[name] = cdata if cdata is not None else found.group(3)
        position = found.end()
    return fields if _CLOSE.match(text, position) else None
