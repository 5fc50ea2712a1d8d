"""A content pack as one block of text for the persona form, and back.

Snippets are separated by a line holding only `---`; a first line starting with `#` is the title.
"""

from __future__ import annotations

from typing import Any

SEPARATOR = "---"


def parse(text: str) -> list[dict[str, str]]:
    snippets: list[dict[str, str]] = []
    chunk: list[str] = []
    for line in [*text.replace("\r\n", "\n").split("\n"), SEPARATOR]:
        if line.strip() != SEPARATOR:
            chunk.append(line)
            continue
        body = "\n".join(chunk).strip()
        chunk = []
        if not body:
            continue
        title = ""
        first, _, rest = body.partition("\n")
        if first.startswith("#"):
            title, body = first.lstrip("#").strip(), rest.strip()
        if body:
            snippets.append({"title": title, "text": body})
    return snippets


def render(pack: list[Any]) -> str:
    blocks = []
    for item in pack:
        title = str(item.get("title", "")) if isinstance(item, dict) else ""
        text = str(item.get("text", "")) if isinstance(item, dict) else str(item)
        blocks.append(f"# {title}\n{text}" if title else text)
    return f"\n{SEPARATOR}\n".join(blocks)
