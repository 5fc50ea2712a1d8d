"""Where each app declares how the personal data it holds about a person is exported and erased.

    register("inbox", exporter, eraser, covers=["inbox.conversation", "inbox.message"])

An exporter returns a JSON-able dict (its section of the export document); an eraser deletes or
anonymises the rows and returns counts by kind (no values). Erasers run in `order`, lowest
first: the contacts provider runs last because deleting a contact cascades.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from shequn.contacts.models import Contact


@dataclass(frozen=True)
class Subject:
    """One person: the contact, the contacts merged into it, and every platform id they carry."""

    contact: Contact
    contact_ids: tuple[int, ...]
    contact_uids: tuple[str, ...]
    # (kind, channel_ref, value) of every identity of every contact above.
    identities: tuple[tuple[str, str, str], ...]
    # Values that name the person in free text (nickname, display name, remark).
    names: tuple[str, ...] = ()
    extra_ids: tuple[str, ...] = field(default=())

    @property
    def platform_ids(self) -> tuple[str, ...]:
        """Every identity value plus ids found elsewhere (e.g. group member ids)."""
        values = [value for _, _, value in self.identities] + list(self.extra_ids)
        return tuple(sorted({v for v in values if v}))


Exporter = Callable[[Subject], dict[str, Any]]
Eraser = Callable[[Subject], dict[str, int]]


@dataclass(frozen=True)
class Provider:
    app_label: str
    exporter: Exporter
    eraser: Eraser
    covers: tuple[str, ...]
    order: int = 100


_PROVIDERS: dict[str, Provider] = {}


def register(
    app_label: str,
    exporter: Exporter,
    eraser: Eraser,
    *,
    covers: Iterable[str],
    order: int = 100,
) -> Provider:
    """Declare one app's export and erasure; `covers` lists its models ("app.model") it handles."""
    provider = Provider(app_label, exporter, eraser, tuple(covers), order)
    _PROVIDERS[app_label] = provider
    return provider


def providers() -> list[Provider]:
    return sorted(_PROVIDERS.values(), key=lambda p: (p.order, p.app_label))


def covered_models() -> frozenset[str]:
    return frozenset(label for p in _PROVIDERS.values() for label in p.covers)
