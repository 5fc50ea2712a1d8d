"""The sandbox application factory.

Platforms are packages under `shequn.sandbox` listed in PLATFORMS; each one that is importable
contributes:
    routes() -> list[BaseRoute]            optional: its WeChat-compatible endpoints
    MOUNT: str = ""                        optional path prefix (WeCom uses "/qyapi")
    setup(sandbox) -> None                 optional: register callback channels, seed state
    control_routes() -> list[BaseRoute]    optional: extra control API under /sandbox/<name>/
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import ModuleType

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount

from shequn.sandbox.callbacks import Callbacks
from shequn.sandbox.clock import Clock
from shequn.sandbox.context import Sandbox
from shequn.sandbox.faults import FaultMiddleware, Faults
from shequn.sandbox.state import StateStore

PLATFORMS = (
    "shequn.sandbox.officialaccount",
    "shequn.sandbox.wecom",
    "shequn.sandbox.pay",
    "shequn.sandbox.population",
    "shequn.sandbox.phone",
    "shequn.sandbox.shop",
)


def _platforms() -> list[tuple[str, ModuleType]]:
    found = []
    for name in PLATFORMS:
        if importlib.util.find_spec(name) is None:
            continue
        found.append((name.rsplit(".", 1)[-1], importlib.import_module(name)))
    return found


def build_sandbox(
    state_path: str | None = None,
    *,
    clock: Clock | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    public_url: str | None = None,
) -> Sandbox:
    store = StateStore(state_path)
    if clock is None:
        clock = Clock()
        snap = store.meta_get("clock")
        if snap:
            clock.restore(snap)
    clock.on_change = lambda c: store.meta_set("clock", c.snapshot())
    store.meta_set("clock", clock.snapshot())
    sandbox = Sandbox(store=store, clock=clock, faults=Faults(store))
    if public_url:
        sandbox.public_url = public_url.rstrip("/")
    sandbox.callbacks = Callbacks(sandbox, transport=transport)
    return sandbox


def create_app(
    state_path: str | None = None,
    *,
    clock: Clock | None = None,
    callback_transport: httpx.AsyncBaseTransport | None = None,
    public_url: str | None = None,
    run_worker: bool = True,
) -> Starlette:
    """A Starlette app speaking WeChat's wire protocol, state in `state_path` (None = memory).

    `clock` defaults to real time resumed from the state file; `callback_transport` lets tests
    route pushed callbacks to an in-process receiver; `run_worker=False` leaves callbacks in the
    outbox until the control API or `sandbox.callbacks.drain()` delivers them.
    """
    from shequn.sandbox import control

    sandbox = build_sandbox(
        state_path, clock=clock, transport=callback_transport, public_url=public_url
    )
    routes: list[BaseRoute] = [Mount("/sandbox", routes=control.routes())]
    for name, module in _platforms():
        setup = getattr(module, "setup", None)
        if setup is not None:
            setup(sandbox)
        extra_control = getattr(module, "control_routes", None)
        if extra_control is not None:
            routes.insert(0, Mount(f"/sandbox/{name}", routes=extra_control()))
        routes_of = getattr(module, "routes", None)
        if routes_of is None:
            continue
        mount = getattr(module, "MOUNT", "")
        platform_routes = routes_of()
        routes.extend([Mount(mount, routes=platform_routes)] if mount else platform_routes)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if run_worker:
            sandbox.callbacks.start()
        try:
            yield
        finally:
            await sandbox.callbacks.stop()
            sandbox.store.meta_set("clock", sandbox.clock.snapshot())

    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, faults=sandbox.faults)],
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
