"""Shequn wired to a sandbox WeChat: the sandbox runs under uvicorn on a free port, Shequn is
the live server; customers act through the sandbox's control API and background work is run
by a batch worker (`drain`)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from django.core.management import call_command

from shequn.channels.models import OfficialAccount
from shequn.inbox.autoreply import matchers
from shequn.ingest.channel_cache import invalidate_channels
from tests.channels.factories import OA_AES_KEY, OA_TOKEN, make_official_account
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner

APPID = "wx00000000000000a1"
SECRET = "sandbox-app-secret"
ORIGINAL_ID = "gh_0000000000a1"
OPENID = "oCustomerHana"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    invalidate_channels()
    matchers.clear()
    yield
    invalidate_channels()
    matchers.clear()


@pytest.fixture
def sandbox_url(tmp_path: Any) -> Iterator[str]:
    from shequn.sandbox import create_app

    port = _free_port()
    app = create_app(str(tmp_path / "sb.sqlite3"), public_url=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def drain() -> None:
    """Run every queued task (inbox processing, customer-service sends) until none is left."""
    for _ in range(3):
        call_command(
            "db_worker",
            queue_name="*",
            batch=True,
            no_startup_delay=True,
            interval=0.01,
            verbosity=0,
        )


@dataclass
class Phone:
    """One customer of the sandbox account, acting through the control API."""

    sandbox: str
    appid: str
    openid: str

    def act(self, kind: str, **fields: Any) -> dict[str, Any]:
        url = f"{self.sandbox}/sandbox/accounts/{self.appid}/customers/{self.openid}/events"
        response = httpx.post(url, json={"kind": kind, "wait": True, **fields}, timeout=30)
        response.raise_for_status()
        drain()
        return response.json()  # type: ignore[no-any-return]

    def received(self, via: str | None = None) -> list[dict[str, Any]]:
        url = f"{self.sandbox}/sandbox/accounts/{self.appid}/customers/{self.openid}/received"
        response = httpx.get(url, params={"via": via} if via else {}, timeout=10)
        response.raise_for_status()
        return response.json()["messages"]  # type: ignore[no-any-return]


@dataclass
class Wired:
    account: OfficialAccount
    phone: Phone
    tenant: Tenant
    sandbox: str

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(method, f"{self.sandbox}/sandbox{path}", timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()


def wire_tenant(
    t: Tenant, sandbox_url: str, live_url: str, *, appid: str = APPID, openid: str = OPENID
) -> Wired:
    with t.scope(), as_owner(t):
        account = make_official_account(
            appid=appid,
            secret=SECRET,
            original_id=ORIGINAL_ID,
            api_base_url=sandbox_url,
            name=f"{t.workspace.name} OA",
        )
    callback = f"{live_url}/cb/oa/{account.callback_key}/"
    httpx.post(
        f"{sandbox_url}/sandbox/accounts",
        json={
            "appid": appid,
            "secret": SECRET,
            "token": OA_TOKEN,
            "encoding_aes_key": OA_AES_KEY,
            "original_id": ORIGINAL_ID,
            "name": account.name,
            "kind": "service",
            "verified": True,
            "callback_url": callback,
            "encryption": "safe",
        },
        timeout=10,
    ).raise_for_status()
    httpx.post(
        f"{sandbox_url}/sandbox/accounts/{appid}/customers",
        json={"openid": openid, "nickname": "Hana", "subscribe": False},
        timeout=10,
    ).raise_for_status()
    return Wired(account, Phone(sandbox_url, appid, openid), t, sandbox_url)


@pytest.fixture
def wired(transactional_db: None, live_server: Any, world: World, sandbox_url: str) -> Wired:
    return wire_tenant(world.a, sandbox_url, live_server.url)


@pytest.fixture
def client_for() -> Any:
    """A test client signed in as this user (or the user of this membership)."""
    from django.test import Client

    def make(who: Any) -> Client:
        client = Client()
        client.force_login(getattr(who, "user", who))
        return client

    return make
