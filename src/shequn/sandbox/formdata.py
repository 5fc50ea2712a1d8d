"""multipart/form-data parsing with the standard library (uploads to media/material APIs).

Starlette needs python-multipart for request.form(), which is not a dependency; uploads here are
small and few, so the email parser is enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP


@dataclass
class Part:
    name: str
    filename: str | None
    content_type: str
    content: bytes


def parse_form(content_type: str, body: bytes) -> dict[str, Part]:
    """Fields by name; raises ValueError when the body is not multipart/form-data."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise ValueError("not multipart/form-data")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("malformed multipart body")
    parts: dict[str, Part] = {}
    for sub in message.iter_parts():
        if not isinstance(sub, Message):
            continue
        name = sub.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = sub.get_payload(decode=True)
        filename = sub.get_param("filename", header="content-disposition")
        parts[str(name)] = Part(
            name=str(name),
            filename=str(filename) if filename else None,
            content_type=sub.get_content_type(),
            content=payload if isinstance(payload, bytes) else b"",
        )
    return parts
