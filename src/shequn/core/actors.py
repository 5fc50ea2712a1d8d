"""Who is acting: a signed-in user, an API token or a system job. Read by the audit log."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

ActorKind = Literal["user", "token", "system", "anonymous"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    label: str
    user_id: int | None = None
    token_uid: UUID | None = None
    ip: str | None = None


ANONYMOUS = Actor(kind="anonymous", label="anonymous")
_current: ContextVar[Actor] = ContextVar("shequn_actor", default=ANONYMOUS)


def current_actor() -> Actor:
    return _current.get()


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def system_actor(job: str) -> Actor:
    return Actor(kind="system", label=job)
