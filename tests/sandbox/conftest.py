"""Fixtures: an in-process sandbox on a frozen clock, talked to through httpx.ASGITransport.

Callbacks go to an in-process receiver (`receiver`) through the sandbox's callback transport, so
no sockets are needed; test_server.py covers real HTTP under uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shequn.sandbox import Clock, create_app
from shequn.sandbox.context import Sandbox

START = 1_750_000_000.0  # 2025-06-15 23:06:40 Beijing time
RECEIVER_URL = "http://shequn.test/wechat/callback"


@dataclass
class Received:
    params: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Stands in for Shequn's callback endpoint; `reply` decides each answer."""

    requests: list[Received] = field(default_factory=list)
    reply: Callable[[Received], Response] = field(
        default=lambda r: Response(b"success", media_type="text/plain")
    )

    def app(self) -> Starlette:
        async def endpoint(request: Request) -> Response:
            got = Received(dict(request.query_params), await request.body())
            self.requests.append(got)
            return self.reply(got)

        return Starlette(routes=[Route("/wechat/callback", endpoint, methods=["POST"])])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> Clock:
    return Clock.frozen(START)


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def app(clock: Clock, receiver: Receiver) -> Starlette:
    return create_app(
        None,
        clock=clock,
        callback_transport=httpx.ASGITransport(app=receiver.app()),
        run_worker=False,
    )


@pytest.fixture
def sandbox(app: Starlette) -> Sandbox:
    return app.state.sandbox  # type: ignore[no-any-return]


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test") as c:
        yield c


class OA:
    """One official account in the sandbox plus convenience calls against it."""

    def __init__(self, client: httpx.AsyncClient, account: dict[str, Any]) -> None:
        self.client = client
        self.account = account
        self.appid: str = account["appid"]
        self.secret: str = account["secret"]

    async def token(self) -> str:
        # stable_token returns the same token while it is valid and a fresh one after the
        # sandbox clock jumps past its expiry.
        r = await self.client.post(
            "/cgi-bin/stable_token",
            json={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )
        return r.json()["access_token"]  # type: ignore[no-any-return]

    async def post(self, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
        r = await self.client.post(
            path, params={"access_token": await self.token(), **params}, json=body or {}
        )
        assert r.status_code == 200
        return r.json()

    async def get(self, path: str, **params: Any) -> Any:
        r = await self.client.get(path, params={"access_token": await self.token(), **params})
        assert r.status_code == 200
        return r.json()

    async def customer(self, **fields: Any) -> dict[str, Any]:
        r = await self.client.post(f"/sandbox/accounts/{self.appid}/customers", json=fields)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def act(self, openid: str, kind: str, **fields: Any) -> dict[str, Any]:
        r = await self.client.post(
            f"/sandbox/accounts/{self.appid}/customers/{openid}/events",
            json={"kind": kind, **fields},
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def received(self, openid: str, via: str | None = None) -> list[dict[str, Any]]:
        params = {"via": via} if via else {}
        r = await self.client.get(
            f"/sandbox/accounts/{self.appid}/customers/{openid}/received", params=params
        )
        return r.json()["messages"]  # type: ignore[no-any-return]


@pytest.fixture
def make_oa(client: httpx.AsyncClient) -> Callable[..., Any]:
    async def make(**fields: Any) -> OA:
        fields.setdefault("callback_url", RECEIVER_URL)
        fields.setdefault("encryption", "plaintext")
        r = await client.post("/sandbox/accounts", json=fields)
        assert r.status_code == 200, r.text
        return OA(client, r.json())

    return make
