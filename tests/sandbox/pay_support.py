"""Pay test helpers: a notify receiver, and a merchant wired to the protocol library's clients
(PayClient / TransferClient) pointed at the sandbox on the sandbox clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shequn.wechat.pay import (
    PayClient,
    PlatformKeys,
    ResponseVerifier,
    SceneReportInfo,
    TransferBillRequest,
    TransferClient,
    parse_notification,
)
from shequn.wechat.pay.notifications import Notification

NOTIFY_URL = "http://shequn.test/pay/notify"
APPID = "wx1234567890abcdef"


@dataclass
class PayReceiver:
    """Shequn's notify endpoint: keeps what arrives; `status` decides the answer."""

    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200

    def app(self) -> Starlette:
        async def endpoint(request: Request) -> Response:
            self.received.append((dict(request.headers), await request.body()))
            return Response(b"", status_code=self.status)

        return Starlette(routes=[Route("/pay/notify", endpoint, methods=["POST"])])


@pytest.fixture
def receiver() -> PayReceiver:
    return PayReceiver()


class Merchant:
    def __init__(self, client: httpx.AsyncClient, app: Any, doc: dict[str, Any]) -> None:
        self.http = client
        self.doc = doc
        self.mchid: str = doc["mchid"]
        self.sandbox = app.state.sandbox
        self.keys = PlatformKeys()
        if doc["platform_certificate"]:
            self.keys.add_certificate(doc["platform_certificate"])
        else:
            self.keys.add_public_key(doc["platform_serial"], doc["platform_public_key"])
        self.pay = PayClient(
            mchid=self.mchid,
            merchant_serial_no=doc["merchant_serial"],
            merchant_private_key=doc["merchant_private_key"],
            platform_keys=self.keys,
            base_url="http://sandbox.test",
            transport=httpx.ASGITransport(app=app),
            max_attempts=1,
            now=self.sandbox.wall_now,  # transport stamps follow the wall clock
        )
        self.transfers = TransferClient(self.pay)

    def request(self, out_bill_no: str, amount: int = 100, **fields: Any) -> TransferBillRequest:
        values: dict[str, Any] = {
            "appid": APPID,
            "out_bill_no": out_bill_no,
            "transfer_scene_id": "1000",
            "openid": "oUser0000000000000000000001",
            "transfer_amount": amount,
            "transfer_remark": "社群活动奖励",
            "transfer_scene_report_infos": (
                SceneReportInfo("活动名称", "六月打卡"),
                SceneReportInfo("奖励说明", "连续打卡7天"),
            ),
            **fields,
        }
        return TransferBillRequest(**values)

    def notification(self, headers: dict[str, str], body: bytes) -> Notification:
        verifier = ResponseVerifier(self.keys, now=self.sandbox.wall_now)
        return parse_notification(
            headers, body, verifier=verifier, api_v3_key=self.doc["api_v3_key"]
        )

    async def control(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        r = await self.http.post(f"/sandbox/pay/merchants/{self.mchid}{path}", json=body or {})
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def state(self) -> dict[str, Any]:
        r = await self.http.get(f"/sandbox/pay/merchants/{self.mchid}")
        return r.json()  # type: ignore[no-any-return]


@pytest.fixture
def make_merchant(client: httpx.AsyncClient, app: Any) -> Any:
    async def make(**fields: Any) -> Merchant:
        fields.setdefault("notify_url", NOTIFY_URL)
        r = await client.post("/sandbox/pay/merchants", json=fields)
        assert r.status_code == 200, r.text
        return Merchant(client, app, r.json())

    return make
