"""The transfer client against a fake Pay that verifies our signatures and signs its answers."""

from __future__ import annotations

import json

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.wechat.exceptions import InvalidSignature
from shequn.wechat.pay.certificates import download_certificates
from shequn.wechat.pay.client import PayClient
from shequn.wechat.pay.errors import (
    InsufficientBalance,
    MalformedPayResponse,
    MissingSignature,
    PayNotFound,
    PayPermanentError,
    PayRetryable,
    PaySignatureRejected,
    PayTransportError,
    PayValidationError,
    UnknownSerial,
)
from shequn.wechat.pay.keys import PlatformKeys
from shequn.wechat.pay.sensitive import decrypt_sensitive
from shequn.wechat.pay.signing import parse_authorization
from shequn.wechat.pay.transfer import SyncTransferClient, TransferClient
from shequn.wechat.pay.transfer_models import SceneReportInfo, TransferBillRequest, TransferState
from shequn.wechat.pay.verification import sign_response_headers
from tests.wechat.pay.conftest import Platform
from tests.wechat.pay.support import (
    API_V3_KEY,
    MCHID,
    MERCHANT_SERIAL,
    NOW,
    FakePay,
    fixed_now,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _request(out_bill_no: str = "plfk2020042013", **changes: object) -> TransferBillRequest:
    fields: dict[str, object] = {
        "appid": "wxf636efh567hg4356",
        "out_bill_no": out_bill_no,
        "transfer_scene_id": "1000",
        "openid": "o-MYE42l80oelYMDE34nYD456Xoy",
        "transfer_amount": 188,
        "transfer_remark": "新会员入群奖励",
        "transfer_scene_report_infos": (
            SceneReportInfo("活动名称", "入群有礼"),
            SceneReportInfo("奖励说明", "入群领取现金红包"),
        ),
        "user_recv_perception": "现金奖励",
    }
    fields.update(changes)
    return TransferBillRequest(**fields)  # type: ignore[arg-type]


class World:
    def __init__(
        self,
        platform: Platform,
        merchant_key: rsa.RSAPrivateKey,
        stranger_key: rsa.RSAPrivateKey,
        keys: PlatformKeys,
    ) -> None:
        self.fake = FakePay(
            merchant_public_key=merchant_key.public_key(),
            platform_key=platform.cert_key,
            platform_serial=platform.cert_serial,
            stranger_key=stranger_key,
            certificates=[platform.certificate],
        )
        self.sleeps: list[float] = []
        self.pay = PayClient(
            mchid=MCHID,
            merchant_serial_no=MERCHANT_SERIAL,
            merchant_private_key=merchant_key,
            platform_keys=keys,
            base_url="https://sandbox.invalid",
            transport=self.fake.transport(),
            now=fixed_now,
            sleep=self._sleep,
        )
        self.transfers = TransferClient(self.pay)

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest.fixture
def world(
    platform: Platform,
    merchant_key: rsa.RSAPrivateKey,
    stranger_key: rsa.RSAPrivateKey,
    cert_keys: PlatformKeys,
) -> World:
    return World(platform, merchant_key, stranger_key, cert_keys)


async def test_create_returns_wait_user_confirm_with_package_info(world: World) -> None:
    bill = await world.transfers.create(_request())
    assert bill.state is TransferState.WAIT_USER_CONFIRM
    assert bill.package_info
    assert bill.out_bill_no == "plfk2020042013"
    sent = world.fake.requests[0]
    assert sent.url.path == "/v3/fund-app/mch-transfer/transfer-bills"
    body = json.loads(sent.content)
    assert body["transfer_amount"] == 188
    assert body["transfer_scene_report_infos"][0] == {
        "info_type": "活动名称",
        "info_content": "入群有礼",
    }
    assert "user_name" not in body
    auth = parse_authorization(sent.headers["Authorization"])
    assert (auth.mchid, auth.serial_no) == (MCHID, MERCHANT_SERIAL)
    assert sent.headers["Accept"] == "application/json"


async def test_query_by_both_numbers_and_cancel(world: World) -> None:
    created = await world.transfers.create(_request())
    by_out = await world.transfers.get_by_out_bill_no("plfk2020042013")
    by_wx = await world.transfers.get_by_transfer_bill_no(created.transfer_bill_no)
    assert by_out == by_wx
    assert by_out.transfer_amount == 188
    assert by_out.state is TransferState.WAIT_USER_CONFIRM
    cancelled = await world.transfers.cancel("plfk2020042013")
    assert cancelled.state is TransferState.CANCELING
    assert world.fake.requests[-1].url.path.endswith("/out-bill-no/plfk2020042013/cancel")
    assert (await world.transfers.get_by_out_bill_no("plfk2020042013")).state == "CANCELING"


async def test_query_of_unknown_bill_is_not_found(world: World) -> None:
    with pytest.raises(PayNotFound):
        await world.transfers.get_by_out_bill_no("nosuchbill")


async def test_retry_after_500_keeps_the_same_out_bill_no(world: World) -> None:
    world.fake.faults.append((500, "SYSTEM_ERROR"))
    bill = await world.transfers.create(_request())
    assert bill.state is TransferState.WAIT_USER_CONFIRM
    first, second = world.fake.requests
    assert first.content == second.content  # byte-identical body, same out_bill_no
    assert json.loads(second.content)["out_bill_no"] == "plfk2020042013"
    # Re-signed (fresh nonce), not replayed.
    assert first.headers["Authorization"] != second.headers["Authorization"]
    assert len(world.fake.bills) == 1
    assert len(world.sleeps) == 1


async def test_timeouts_and_rate_limits_are_retried(world: World) -> None:
    world.fake.timeouts = 1
    world.fake.faults.append((429, "FREQUENCY_LIMITED"))
    await world.transfers.create(_request())
    bodies = {r.content for r in world.fake.requests}
    assert len(world.fake.requests) == 3
    assert len(bodies) == 1


async def test_retries_are_bounded(world: World) -> None:
    world.fake.faults.extend([(503, "SYSTEM_ERROR")] * 5)
    with pytest.raises(PayRetryable) as caught:
        await world.transfers.create(_request())
    assert caught.value.status == 503
    assert len(world.fake.requests) == 3


async def test_persistent_timeouts_surface_as_transport_errors(world: World) -> None:
    world.fake.timeouts = 10
    with pytest.raises(PayTransportError):
        await world.transfers.get_by_out_bill_no("plfk2020042013")


async def test_insufficient_balance_is_not_retried_and_says_so(world: World) -> None:
    world.fake.faults.append((403, "NOT_ENOUGH"))
    with pytest.raises(InsufficientBalance) as caught:
        await world.transfers.create(_request())
    assert len(world.fake.requests) == 1
    assert caught.value.verified
    assert "top up" in str(caught.value)
    assert "SAME out_bill_no" in str(caught.value)


@pytest.mark.parametrize("code", ["PARAM_ERROR", "INVALID_REQUEST", "NO_AUTH"])
async def test_permanent_errors_are_not_retried(world: World, code: str) -> None:
    world.fake.faults.append((400 if code != "NO_AUTH" else 403, code))
    with pytest.raises(PayPermanentError) as caught:
        await world.transfers.create(_request())
    assert caught.value.code == code
    assert len(world.fake.requests) == 1


async def test_our_bad_signature_comes_back_as_sign_error(
    world: World, stranger_key: rsa.RSAPrivateKey
) -> None:
    world.pay._private_key = stranger_key  # a misconfigured merchant key
    with pytest.raises(PaySignatureRejected):
        await world.transfers.get_by_out_bill_no("plfk2020042013")


async def test_unsigned_success_is_rejected(world: World) -> None:
    world.fake.mode = "unsigned"
    with pytest.raises(MissingSignature):
        await world.transfers.create(_request())


async def test_forged_success_is_rejected_and_not_retried(world: World) -> None:
    world.fake.mode = "forged"
    with pytest.raises(InvalidSignature):
        await world.transfers.create(_request())
    assert len(world.fake.requests) == 1


async def test_answer_under_unknown_serial_is_rejected(world: World) -> None:
    world.fake.mode = "wrong_serial"
    with pytest.raises(UnknownSerial):
        await world.transfers.get_by_out_bill_no("plfk2020042013")


async def test_forged_error_is_rejected_too(world: World) -> None:
    world.fake.mode = "forged"
    world.fake.faults.append((403, "NOT_ENOUGH"))
    with pytest.raises(InvalidSignature):
        await world.transfers.create(_request())


async def test_invalid_request_is_refused_before_sending(world: World) -> None:
    with pytest.raises(PayValidationError):
        await world.transfers.create(_request(transfer_remark="x" * 33))
    assert world.fake.requests == []


async def test_user_name_is_encrypted_for_the_platform_key(
    world: World, platform: Platform
) -> None:
    await world.transfers.create(_request(transfer_amount=250_000, user_name="张三"))
    sent = world.fake.requests[0]
    assert sent.headers["Wechatpay-Serial"] == platform.cert_serial
    encrypted = json.loads(sent.content)["user_name"]
    assert decrypt_sensitive(platform.cert_key, encrypted) == "张三"


async def test_certificate_download_bootstrap_and_verified(
    platform: Platform, merchant_key: rsa.RSAPrivateKey, stranger_key: rsa.RSAPrivateKey
) -> None:
    empty = PlatformKeys()
    world = World(platform, merchant_key, stranger_key, empty)
    with pytest.raises(UnknownSerial):
        await download_certificates(world.pay, API_V3_KEY)
    [cert] = await download_certificates(world.pay, API_V3_KEY, bootstrap=True)
    assert cert.serial_no == platform.cert_serial
    assert platform.cert_serial in empty
    # Now trusted, the ordinary (verified) path works and so does the transfer client.
    await download_certificates(world.pay, API_V3_KEY)
    await world.transfers.create(_request())


async def test_bootstrap_still_rejects_a_forged_list(
    platform: Platform, merchant_key: rsa.RSAPrivateKey, stranger_key: rsa.RSAPrivateKey
) -> None:
    world = World(platform, merchant_key, stranger_key, PlatformKeys())
    world.fake.mode = "forged"
    with pytest.raises(InvalidSignature):
        await download_certificates(world.pay, API_V3_KEY, bootstrap=True)
    assert len(world.pay.platform_keys) == 0


def test_sync_facade(world: World) -> None:
    with SyncTransferClient(world.pay) as client:
        bill = client.create(_request())
        assert bill.state is TransferState.WAIT_USER_CONFIRM
        assert client.get_by_out_bill_no(bill.out_bill_no).transfer_bill_no == bill.transfer_bill_no
        assert client.cancel(bill.out_bill_no).state is TransferState.CANCELING


async def test_base_url_is_configurable(world: World) -> None:
    await world.transfers.create(_request())
    assert world.fake.requests[0].url.host == "sandbox.invalid"


def test_default_base_url_is_the_real_one(merchant_key: rsa.RSAPrivateKey) -> None:
    pay = PayClient(
        mchid=MCHID,
        merchant_serial_no=MERCHANT_SERIAL,
        merchant_private_key=merchant_key,
        platform_keys=PlatformKeys(),
    )
    assert pay.base_url == "https://api.mch.weixin.qq.com"
    assert isinstance(pay._client(), httpx.AsyncClient)


def _pay_with(handler: object, merchant_key: rsa.RSAPrivateKey, keys: PlatformKeys) -> PayClient:
    async def no_sleep(_: float) -> None:
        return None

    return PayClient(
        mchid=MCHID,
        merchant_serial_no=MERCHANT_SERIAL,
        merchant_private_key=merchant_key,
        platform_keys=keys,
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
        now=fixed_now,
        sleep=no_sleep,
    )


async def test_gateway_5xx_without_pay_body_is_retried_then_a_transport_error(
    merchant_key: rsa.RSAPrivateKey, cert_keys: PlatformKeys
) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(502, content=b"<html>Bad Gateway</html>")

    pay = _pay_with(handler, merchant_key, cert_keys)
    with pytest.raises(PayTransportError) as caught:
        await TransferClient(pay).get_by_out_bill_no("abc")
    assert caught.value.status == 502
    assert not caught.value.verified
    assert len(calls) == 3


async def test_signed_success_that_is_not_json_is_malformed(
    platform: Platform, merchant_key: rsa.RSAPrivateKey, cert_keys: PlatformKeys
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = b"<xml/>"
        headers = sign_response_headers(
            platform.cert_key, platform.cert_serial, body, timestamp=NOW
        )
        return httpx.Response(200, headers=headers, content=body)

    pay = _pay_with(handler, merchant_key, cert_keys)
    with pytest.raises(MalformedPayResponse):
        await TransferClient(pay).get_by_out_bill_no("abc")
