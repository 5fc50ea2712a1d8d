"""The demo connects its brands to a sandbox the way an operator connects real WeChat."""

from __future__ import annotations

from typing import Any

import httpx

from shequn.channels import queries as channel_queries
from shequn.ingest.models import InboundEvent
from shequn.runtime.demo_seed import seed_demo
from shequn.runtime.demo_world import Brand, connect_brand
from shequn.tenancy.models import Workspace
from shequn.tenancy.scope import tenant_scope
from tests.ingest.sandbox_support import Sandbox, run_worker, sandbox_fixture

__all__ = ["sandbox_fixture"]

COSMETICS_APPID = "wx5a6b0c0a5e7c0001"


def test_brand_is_connected_and_a_customer_reaches_the_inbox(
    transactional_db: None, live_server: Any, sandbox: Sandbox
) -> None:
    seed_demo()
    brand = Brand("sakura-cosmetics", "demo-cosmetics", sandbox.url)

    connect_brand(brand, live_server.url)
    connect_brand(brand, live_server.url)  # running the demo again finds everything in place

    workspace = Workspace.objects.get(slug="sakura-cosmetics")
    with tenant_scope(workspace):
        appids = sorted(a.appid for a in channel_queries.official_accounts())
        corps = [c.corpid for c in channel_queries.wecom_corps()]
    assert appids == [COSMETICS_APPID, "wx5a6b0c0a5e7c0002"]
    assert corps == ["ww5a6b0c0a5e7c0001"]

    customers = httpx.get(f"{sandbox.url}/phone/api/customers").json()["customers"]
    assert len(customers) > 0
    customer = next(c["id"] for c in customers if c["where"].startswith("Sakura"))
    for path, body in (
        ("follow", {}),
        ("send", {"text": "精华液多少钱？"}),
    ):
        answer = httpx.post(
            f"{sandbox.url}/phone/api/{path}",
            json={"customer": customer, "appid": COSMETICS_APPID, **body},
            timeout=30,
        )
        assert answer.json()["delivery"]["status"] == "delivered"
    run_worker()

    with tenant_scope(workspace):
        kinds = sorted((e.msg_type, e.event, e.state) for e in InboundEvent.objects.all())
    assert kinds == [("event", "subscribe", "processed"), ("text", "", "processed")]
