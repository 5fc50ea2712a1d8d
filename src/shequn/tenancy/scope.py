"""The current tenant (workspace) of this request, API call, callback or job.

Set from the URL in the console, the token in the API, the channel in callbacks and the argument in
jobs; always reset in a `finally`. Never derived from a user's preference.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shequn.tenancy.models import Workspace


class TenantScopeError(RuntimeError):
    """A tenant-scoped query or write ran without a tenant scope, or across scopes."""


_current: ContextVar[Workspace | None] = ContextVar("shequn_tenant", default=None)


def current_tenant() -> Workspace | None:
    return _current.get()


def require_tenant() -> Workspace:
    tenant = _current.get()
    if tenant is None:
        raise TenantScopeError(
            "no tenant scope: enter one with tenant_scope(workspace) or use .for_tenant(workspace)"
        )
    return tenant


def enter_scope(workspace: Workspace | None) -> Token[Workspace | None]:
    return _current.set(workspace)


def exit_scope(token: Token[Workspace | None]) -> None:
    _current.reset(token)


@contextlib.contextmanager
def tenant_scope(workspace: Workspace) -> Iterator[Workspace]:
    token = _current.set(workspace)
    try:
        yield workspace
    finally:
        _current.reset(token)


@contextlib.contextmanager
def dangerously_no_tenant_scope() -> Iterator[None]:
    """For code that must see every tenant (migrations, the scheduler). Grep for it in review."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)
