"""WeCom test helpers: a callback receiver that checks signatures and decrypts like Shequn
must, and a corp wrapper around the protocol library's WeComClient pointed at the sandbox.

Test modules import the `receiver` fixture from here; it replaces conftest's receiver, so the
sandbox's callback transport reaches this one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from shequn.wechat.crypto import MessageCrypto
from shequn.wechat.wecom import WeComClient
from shequn.wechat.xmlsafe import parse_xml

CALLBACK_URL = "http://shequn.test/wecom/callback"
TOKEN = "wecomtoken123"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
STAFF = [
    {"userid": "zhangsan", "name": "张三"},
    {"userid": "lisi", "name": "李四"},
    {"userid": "wangwu", "name": "王五", "customer_contact": False},
]


@dataclass
class WeComReceiver:
    """Shequn's WeCom callback endpoint: verifies msg_signature, decrypts, keeps the events."""

    crypto: MessageCrypto | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    verifications: int = 0
    fail_verification: bool = False
    status: int = 200

    def app(self) -> Starlette:
        async def endpoint(request: Request) -> Response:
            assert self.crypto is not None
            q = request.query_params
            if request.method == "GET":
                self.verifications += 1
                if self.fail_verification:
                    return PlainTextResponse("nope")
                echo = self.crypto.verify_url(
                    q["msg_signature"], q["timestamp"], q["nonce"], q["echostr"]
                )
                return PlainTextResponse(echo)
            plain = self.crypto.decrypt_envelope(
                await request.body(),
                msg_signature=q["msg_signature"],
                timestamp=q["timestamp"],
                nonce=q["nonce"],
            )
            self.events.append(parse_xml(plain))
            return Response(b"", status_code=self.status)

        return Starlette(routes=[Route("/wecom/callback", endpoint, methods=["GET", "POST"])])

    def of(self, event: str, change_type: str | None = None) -> list[dict[str, Any]]:
        return [
            e
            for e in self.events
            if e["Event"] == event and (change_type is None or e["ChangeType"] == change_type)
        ]


@pytest.fixture
def receiver() -> WeComReceiver:
    return WeComReceiver()


class Corp:
    """One sandbox corp: the protocol client, raw calls (to get past client-side checks),
    customer actions through the control API, and the sandbox behind it."""

    def __init__(self, client: httpx.AsyncClient, app: Any, doc: dict[str, Any]) -> None:
        self.http = client
        self.doc = doc
        self.corpid: str = doc["corpid"]
        self.sandbox = app.state.sandbox
        self.api = WeComClient(
            self.corpid,
            doc["secret"],
            base_url="http://sandbox.test/qyapi",
            transport=httpx.ASGITransport(app=app),
        )

    async def raw(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        token = (await self.api.get_token()).value
        r = await self.http.post(f"/qyapi{path}", params={"access_token": token}, json=body or {})
        assert r.status_code == 200
        return r.json()  # type: ignore[no-any-return]

    async def act(self, kind: str, **fields: Any) -> dict[str, Any]:
        r = await self.http.post(
            f"/sandbox/wecom/corps/{self.corpid}/actions", json={"kind": kind, **fields}
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def customer(self, userid: str = "zhangsan", **fields: Any) -> str:
        done = await self.act("add_staff", userid=userid, **fields)
        return str(done["result"]["external_userid"])

    def outbox(self) -> list[dict[str, Any]]:
        return [i for i in self.sandbox.store.outbox_items() if i["channel"] == "wecom"]

    async def received(self, external_userid: str) -> list[dict[str, Any]]:
        r = await self.http.get(
            f"/sandbox/wecom/corps/{self.corpid}/contacts/{external_userid}/received"
        )
        return r.json()["messages"]  # type: ignore[no-any-return]


@pytest.fixture
def make_corp(client: httpx.AsyncClient, app: Any, receiver: WeComReceiver) -> Any:
    async def make(**fields: Any) -> Corp:
        fields.setdefault("token", TOKEN)
        fields.setdefault("encoding_aes_key", AES_KEY)
        fields.setdefault("staff", STAFF)
        fields.setdefault("callback_url", CALLBACK_URL)
        corpid = fields.setdefault("corpid", "ww0123456789abcdef")
        receiver.crypto = MessageCrypto(fields["token"], fields["encoding_aes_key"], corpid)
        r = await client.post("/sandbox/wecom/corps", json=fields)
        assert r.status_code == 200, r.text
        return Corp(client, app, r.json())

    return make
