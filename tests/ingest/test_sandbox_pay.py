"""WeChat Pay end to end: Shequn creates a transfer bill through shequn.wechat.pay against the
sandbox, the payee confirms, and the signed, encrypted notification the sandbox pushes to
/cb/pay/<key>/ is verified, decrypted and stored once (Pay sends it twice here)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shequn.channels import services as channel_services
from shequn.channels.models import PayMerchant
from shequn.wechat.pay import SceneReportInfo, TransferBillRequest
from tests.conftest import World
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import (
    LossyGateway,
    Sandbox,
    inbox_rows,
    run_worker,
    sandbox_fixture,  # noqa: F401 - provides the `sandbox` fixture
)

pytestmark = pytest.mark.slow

MCHID = "1900000042"
API_V3_KEY = "sakuraApiV3Key0123456789abcdefgh"
APPID = "wx00000000000000e2"
OPENID = "oCustomerMei"


@pytest.fixture
def merchant(
    transactional_db: None, live_server: Any, world: World, sandbox: Sandbox
) -> PayMerchant:
    doc = sandbox.control(
        "POST",
        "/pay/merchants",
        json={"mchid": MCHID, "api_v3_key": API_V3_KEY, "platform_mode": "public_key"},
    )
    with world.a.scope(), as_owner(world.a):
        merchant = channel_services.connect_pay_merchant(
            name="Sakura Pay",
            mchid=MCHID,
            serial_no=doc["merchant_serial"],
            private_key=doc["merchant_private_key"],
            api_v3_key=API_V3_KEY,
            platform_key_mode=PayMerchant.PlatformKeyMode.PUBLIC_KEY,
            platform_key_id=doc["platform_serial"],
            platform_key_pem=doc["platform_public_key"],
            api_base_url=sandbox.url,
        )
    notify_url = f"{live_server.url}/cb/pay/{merchant.callback_key}/"
    sandbox.http.patch(
        f"/sandbox/pay/merchants/{MCHID}", json={"notify_url": notify_url}
    ).raise_for_status()
    return merchant


def _bill(out_bill_no: str) -> TransferBillRequest:
    return TransferBillRequest(
        appid=APPID,
        out_bill_no=out_bill_no,
        transfer_scene_id="1000",
        openid=OPENID,
        transfer_amount=188,
        transfer_remark="打卡奖励",
        transfer_scene_report_infos=(
            SceneReportInfo("活动名称", "秋季打卡"),
            SceneReportInfo("奖励说明", "连续打卡7天"),
        ),
    )


def test_transfer_notification_is_verified_decrypted_and_stored_once(
    merchant: PayMerchant, world: World, sandbox: Sandbox, live_server: Any
) -> None:
    # The first answer is lost on the way back, so Pay sends the same notification again.
    gateway = LossyGateway(live_server.url, lose=1)
    server = gateway.start()
    notify_url = f"{gateway.url}/cb/pay/{merchant.callback_key}/"
    sandbox.http.patch(
        f"/sandbox/pay/merchants/{MCHID}", json={"notify_url": notify_url}
    ).raise_for_status()
    try:
        with world.a.scope(), channel_services.pay_client(merchant) as pay:
            bill = pay.create(_bill("RW20261121001"))
        assert bill.state == "WAIT_USER_CONFIRM"
        confirmed = sandbox.control("POST", f"/pay/merchants/{MCHID}/bills/RW20261121001/confirm")
        assert confirmed["result"]["state"] == "SUCCESS"
        sandbox.advance(15)  # Pay's first retry
        sandbox.flush()
    finally:
        server.shutdown()
    assert gateway.forwarded == [204, 204]  # Shequn acknowledged both, "received, no body"
    statuses = [d["http_status"] for d in sandbox.deliveries(MCHID)]
    assert statuses == [502, 204]

    rows = inbox_rows()
    assert len(rows) == 1
    row = rows[0]
    assert (row.channel_kind, row.channel_id) == ("pay", merchant.pk)
    assert row.tenant_id == merchant.tenant_id
    assert row.msg_type == "MCHTRANSFER.BILL.FINISHED"
    resource = row.fields["resource"]
    assert resource["out_bill_no"] == "RW20261121001"
    assert resource["state"] == "SUCCESS"
    assert resource["transfer_bill_no"] == bill.transfer_bill_no
    assert "ciphertext" not in str(row.fields)  # stored decrypted, not as received
    run_worker()
    assert inbox_rows()[0].state == "processed"


def test_forged_notification_is_refused_and_not_stored(
    merchant: PayMerchant, sandbox: Sandbox, live_server: Any
) -> None:
    forged = httpx.post(
        f"{live_server.url}/cb/pay/{merchant.callback_key}/",
        content=b'{"id":"x","resource":{}}',
        headers={
            "Content-Type": "application/json",
            "Wechatpay-Timestamp": str(int(sandbox.now())),
            "Wechatpay-Nonce": "n",
            "Wechatpay-Signature": "Zm9yZ2Vk",
            "Wechatpay-Serial": "PUB_KEY_ID_0000",
        },
    )
    assert forged.status_code in (401, 403)
    assert forged.json()["code"] == "FAIL"
    assert inbox_rows() == []


def test_test_connection_against_the_sandbox(merchant: PayMerchant, world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        result = channel_services.test_connection(merchant)
    assert result.ok, result.message
