"""Recognising invitations in what a customer received: a group join-way code or link, or a
staff contact-way code, as Shequn puts them into welcome messages and customer-service messages.

A message is matched against the join/contact ways the WeCom sandbox knows (by config_id and
by qr_code URL); URLs carrying `config_id=` with a join/contact hint are recognised as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_CONFIG_PARAM = re.compile(r"config_id=([A-Za-z0-9_\-]{6,64})")


@dataclass(frozen=True)
class Invite:
    kind: str  # "join" (a group) or "staff" (add a staff account)
    config_id: str
    userid: str | None = None
    state: str | None = None


@dataclass
class KnownCodes:
    """Codes that exist in the sandbox: config_id and qr_code URL → the invite they stand for."""

    by_key: dict[str, Invite] = field(default_factory=dict)

    def add(self, invite: Invite, *keys: str | None) -> None:
        self.by_key[invite.config_id] = invite
        for key in keys:
            if key:
                self.by_key[key] = invite

    def join_ways(self) -> list[Invite]:
        return _unique(i for i in self.by_key.values() if i.kind == "join")

    def contact_ways(self) -> list[Invite]:
        return _unique(i for i in self.by_key.values() if i.kind == "staff")


def _unique(invites: Iterator[Invite]) -> list[Invite]:
    seen: dict[str, Invite] = {}
    for invite in invites:
        seen.setdefault(invite.config_id, invite)
    return [seen[k] for k in sorted(seen)]


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def find_invites(message: Any, known: KnownCodes) -> list[Invite]:
    found: dict[str, Invite] = {}
    for text in strings(message):
        for key, invite in known.by_key.items():
            if key in text:
                found.setdefault(invite.config_id, invite)
        for match in _CONFIG_PARAM.finditer(text):
            config_id = match.group(1)
            if config_id in found:
                continue
            lowered = text.lower()
            if "join" in lowered:
                found[config_id] = Invite("join", config_id)
            elif "contact" in lowered:
                found[config_id] = Invite("staff", config_id)
    return [found[k] for k in sorted(found)]
