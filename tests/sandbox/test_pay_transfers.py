"""WeChat Pay transfer bills in the sandbox, driven by the protocol library's TransferClient:
signature checks both ways, idempotency, balance, confirmation, expiry, cancel, notifications."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.sandbox.clock import Clock
from shequn.wechat.pay import (
    InsufficientBalance,
    PayClient,
    PayPermanentError,
    PayRetryable,
    PlatformKeys,
    TransferClient,
    TransferState,
    transfer_bill_finished,
)
from shequn.wechat.pay.signing import build_authorization
from tests.sandbox.pay_support import Merchant, PayReceiver, make_merchant, receiver

pytestmark = pytest.mark.anyio
__all__ = ["make_merchant", "receiver"]

PATH = "/v3/fund-app/mch-transfer/transfer-bills"


async def test_create_answers_wait_user_confirm_signed(make_merchant: Any) -> None:
    merchant: Merchant = await make_merchant()
    bill = await merchant.transfers.create(merchant.request("B0001", 500))
    assert bill.state is TransferState.WAIT_USER_CONFIRM
    assert bill.package_info
    assert bill.create_time.endswith("+08:00")
    detail = await merchant.transfers.get_by_transfer_bill_no(bill.transfer_bill_no)
    assert (detail.out_bill_no, detail.transfer_amount, detail.mch_id) == (
        "B0001",
        500,
        merchant.mchid,
    )
    state = await merchant.state()
    assert state["available_fen"] == state["balance_fen"] - 500


async def test_forged_request_signature_is_rejected(
    client: httpx.AsyncClient, make_merchant: Any, sandbox: Any, app: Any
) -> None:
    merchant: Merchant = await make_merchant()
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = PayClient(
        mchid=merchant.mchid,
        merchant_serial_no=merchant.doc["merchant_serial"],
        merchant_private_key=stranger,
        platform_keys=merchant.keys,
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=app),
        max_attempts=1,
        now=sandbox.wall_now,
    )
    with pytest.raises(PayPermanentError) as refused:
        await forged.request("GET", f"{PATH}/out-bill-no/B1")
    assert (refused.value.status, refused.value.code) == (401, "SIGN_ERROR")
    assert refused.value.verified  # the refusal itself is signed by the platform
    r = await client.get(f"{PATH}/out-bill-no/B1")
    assert r.status_code == 401
    assert r.json()["code"] == "SIGN_ERROR"
    stale = build_authorization(
        merchant.pay.merchant_private_key,
        mchid=merchant.mchid,
        serial_no=merchant.doc["merchant_serial"],
        method="GET",
        canonical_url=f"{PATH}/out-bill-no/B1",
        timestamp=int(sandbox.wall_now()) - 3600,
    )
    r = await client.get(f"{PATH}/out-bill-no/B1", headers={"Authorization": stale})
    assert r.status_code == 401


async def test_create_is_idempotent_per_out_bill_no(make_merchant: Any) -> None:
    merchant: Merchant = await make_merchant()
    first = await merchant.transfers.create(merchant.request("B0002", 300))
    again = await merchant.transfers.create(merchant.request("B0002", 300))
    assert again.transfer_bill_no == first.transfer_bill_no
    with pytest.raises(PayPermanentError) as changed:
        await merchant.transfers.create(merchant.request("B0002", 301))
    assert (changed.value.status, changed.value.code) == (400, "INVALID_REQUEST")
    bills = (await merchant.http.get(f"/sandbox/pay/merchants/{merchant.mchid}/bills")).json()
    assert len(bills["bills"]) == 1
    assert (await merchant.state())["reserved_fen"] == 300


async def test_not_enough_balance_then_top_up_and_retry_same_number(make_merchant: Any) -> None:
    merchant: Merchant = await make_merchant(balance_fen=1000)
    await merchant.transfers.create(merchant.request("B0003", 800))
    with pytest.raises(InsufficientBalance) as short:
        await merchant.transfers.create(merchant.request("B0004", 300))
    assert (short.value.status, short.value.code) == (403, "NOT_ENOUGH")
    await merchant.control("/topup", {"amount_fen": 500})
    bill = await merchant.transfers.create(merchant.request("B0004", 300))
    assert bill.state is TransferState.WAIT_USER_CONFIRM


async def test_confirm_succeeds_debits_and_notifies(
    make_merchant: Any, receiver: PayReceiver
) -> None:
    merchant: Merchant = await make_merchant(balance_fen=10_000)
    await merchant.transfers.create(merchant.request("B0005", 888))
    done = await merchant.control("/bills/B0005/confirm")
    assert done["result"]["state"] == "SUCCESS"
    assert done["deliveries"][0]["status"] == "delivered"
    state = await merchant.state()
    assert (state["balance_fen"], state["reserved_fen"]) == (10_000 - 888, 0)
    ((headers, body),) = receiver.received
    notification = merchant.notification(headers, body)
    assert notification.event_type == "MCHTRANSFER.BILL.FINISHED"
    assert notification.serial == merchant.doc["platform_serial"]
    finished = transfer_bill_finished(notification)
    assert (finished.out_bill_no, finished.state, finished.transfer_amount) == (
        "B0005",
        TransferState.SUCCESS,
        888,
    )
    assert "B0005" not in body.decode()  # only inside the encrypted resource
    detail = await merchant.transfers.get_by_out_bill_no("B0005")
    assert detail.state is TransferState.SUCCESS


async def test_decline_fails_and_releases_the_reservation(
    make_merchant: Any, receiver: PayReceiver
) -> None:
    merchant: Merchant = await make_merchant(balance_fen=1000)
    await merchant.transfers.create(merchant.request("B0006", 500))
    await merchant.control("/bills/B0006/decline", {"fail_reason": "REAL_NAME_CHECK_FAIL"})
    state = await merchant.state()
    assert (state["balance_fen"], state["reserved_fen"]) == (1000, 0)
    finished = transfer_bill_finished(merchant.notification(*receiver.received[0]))
    assert (finished.state, finished.fail_reason) == (TransferState.FAIL, "REAL_NAME_CHECK_FAIL")


async def test_unconfirmed_bills_expire_after_24_hours(
    make_merchant: Any, receiver: PayReceiver, clock: Clock, sandbox: Any
) -> None:
    merchant: Merchant = await make_merchant(balance_fen=1000)
    await merchant.transfers.create(merchant.request("B0007", 400))
    clock.advance(24 * 3600 - 1)
    await sandbox.callbacks.drain()
    assert receiver.received == []
    assert (await merchant.transfers.get_by_out_bill_no("B0007")).state is (
        TransferState.WAIT_USER_CONFIRM
    )
    clock.advance(1)
    await sandbox.callbacks.drain()
    finished = transfer_bill_finished(merchant.notification(*receiver.received[0]))
    assert (finished.state, finished.fail_reason) == (TransferState.CANCELLED, "OVERDUE_CLOSE")
    assert (await merchant.state())["reserved_fen"] == 0
    r = await merchant.http.post(f"/sandbox/pay/merchants/{merchant.mchid}/bills/B0007/confirm")
    assert r.status_code == 400


async def test_cancel_goes_through_canceling_to_cancelled(
    make_merchant: Any, receiver: PayReceiver, clock: Clock, sandbox: Any
) -> None:
    merchant: Merchant = await make_merchant(balance_fen=1000)
    await merchant.transfers.create(merchant.request("B0008", 400))
    cancelled = await merchant.transfers.cancel("B0008")
    assert cancelled.state is TransferState.CANCELING
    clock.advance(1)
    await sandbox.callbacks.drain()
    assert (await merchant.transfers.get_by_out_bill_no("B0008")).state is TransferState.CANCELLED
    finished = transfer_bill_finished(merchant.notification(*receiver.received[0]))
    assert (finished.state, finished.fail_reason) == (TransferState.CANCELLED, "MCH_CANCEL")
    await merchant.transfers.create(merchant.request("B0009", 100))
    await merchant.control("/bills/B0009/confirm")
    with pytest.raises(PayPermanentError) as late:
        await merchant.transfers.cancel("B0009")
    assert late.value.code == "INVALID_REQUEST"


async def test_failed_notifications_follow_the_retry_schedule(
    make_merchant: Any, receiver: PayReceiver, clock: Clock, sandbox: Any
) -> None:
    merchant: Merchant = await make_merchant()
    receiver.status = 500
    await merchant.transfers.create(merchant.request("B0010", 100))
    await merchant.control("/bills/B0010/confirm")
    assert len(receiver.received) == 1
    for wait in (15, 15, 30, 180):
        clock.advance(wait - 1)
        await sandbox.callbacks.drain()
        before = len(receiver.received)
        clock.advance(1)
        await sandbox.callbacks.drain()
        assert len(receiver.received) == before + 1
    receiver.status = 204
    clock.advance(600)
    await sandbox.callbacks.drain()
    clock.advance(3 * 24 * 3600)
    await sandbox.callbacks.drain()
    assert len(receiver.received) == 6  # 204 acknowledged: no more tries
    ids = {json.loads(body)["id"] for _, body in receiver.received}
    assert len(ids) == 1  # every retry is the same notification


async def test_field_rules(make_merchant: Any) -> None:
    merchant: Merchant = await make_merchant()

    async def create(**overrides: Any) -> httpx.Response:
        body = merchant.request("B0011").to_json()
        body.update(overrides)
        return await _signed_post(merchant, body)

    assert (await create(transfer_amount=5)).json()["code"] == "INVALID_REQUEST"
    r = await create(transfer_scene_report_infos=[{"info_type": "活动名称", "info_content": "x"}])
    assert (r.status_code, r.json()["code"]) == (400, "PARAM_ERROR")
    assert (await create(out_bill_no="bad-no")).json()["code"] == "PARAM_ERROR"
    assert (await create(transfer_remark="r" * 33)).json()["code"] == "PARAM_ERROR"
    assert (await create(user_recv_perception="惊喜")).json()["code"] == "INVALID_REQUEST"
    assert (await create(transfer_amount=200_000)).json()["code"] == "PARAM_ERROR"


async def _signed_post(merchant: Merchant, body: dict[str, Any]) -> httpx.Response:
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    auth = build_authorization(
        merchant.pay.merchant_private_key,
        mchid=merchant.mchid,
        serial_no=merchant.doc["merchant_serial"],
        method="POST",
        canonical_url=PATH,
        body=raw,
        timestamp=int(merchant.sandbox.wall_now()),
    )
    return await merchant.http.post(
        PATH, content=raw, headers={"Authorization": auth, "Content-Type": "application/json"}
    )


async def test_certificate_mode_serves_v3_certificates(make_merchant: Any, app: Any) -> None:
    from shequn.wechat.pay.certificates import download_certificates

    merchant: Merchant = await make_merchant(platform_mode="certificate")
    assert not merchant.doc["platform_serial"].startswith("PUB_KEY_ID_")
    fresh = PayClient(
        mchid=merchant.mchid,
        merchant_serial_no=merchant.doc["merchant_serial"],
        merchant_private_key=merchant.pay.merchant_private_key,
        platform_keys=PlatformKeys(),  # nothing trusted yet: first run
        base_url="http://sandbox.test",
        transport=httpx.ASGITransport(app=app),
        max_attempts=1,
        now=merchant.sandbox.wall_now,
    )
    got = await download_certificates(fresh, merchant.doc["api_v3_key"], bootstrap=True)
    assert [c.serial_no for c in got] == [merchant.doc["platform_serial"]]
    bill = await TransferClient(fresh).create(merchant.request("B0012"))
    assert bill.state is TransferState.WAIT_USER_CONFIRM


async def test_injected_failures_are_pay_shaped(
    client: httpx.AsyncClient, make_merchant: Any
) -> None:
    merchant: Merchant = await make_merchant()
    r = await client.post("/sandbox/faults", json={"fail_next": {"count": 1, "path": PATH}})
    assert r.status_code == 200
    with pytest.raises(PayRetryable) as failed:
        await merchant.transfers.create(merchant.request("B0013"))
    assert (failed.value.status, failed.value.code) == (500, "SYSTEM_ERROR")
    bill = await merchant.transfers.create(merchant.request("B0013"))
    assert bill.state is TransferState.WAIT_USER_CONFIRM
