"""Merchant transfers to a user's WeChat balance (商家转账, user-confirmation mode).

The flow: `create()` a bill → state WAIT_USER_CONFIRM with `package_info` → the user confirms in
WeChat (mini program `wx.requestMerchantTransfer` / H5 JSAPI) → a MCHTRANSFER.BILL.FINISHED
notification, or `get_by_out_bill_no()` polling, reports SUCCESS, FAIL or CANCELLED. Unconfirmed
bills expire after 24 h.

Money moves at most once because `out_bill_no` is the idempotency key: a failed or timed-out
create must be retried with the SAME out_bill_no (the client does that itself for retryable
errors). Never switch to a new number until a query shows the original bill FAIL or CANCELLED.
"""

from __future__ import annotations

import contextlib
from types import TracebackType

from shequn.wechat.pay.client import PayClient
from shequn.wechat.pay.errors import MalformedPayResponse
from shequn.wechat.pay.notifications import Notification
from shequn.wechat.pay.sensitive import encrypt_sensitive
from shequn.wechat.pay.sync import BackgroundLoop
from shequn.wechat.pay.transfer_models import (
    DEFAULT_MAX_AMOUNT_FEN,
    CancelResult,
    TransferBill,
    TransferBillDetail,
    TransferBillFinished,
    TransferBillRequest,
    validate_out_bill_no,
    validate_transfer_bill_no,
)
from shequn.wechat.pay.verification import HEADER_SERIAL

TRANSFER_BILLS_PATH = "/v3/fund-app/mch-transfer/transfer-bills"
EVENT_BILL_FINISHED = "MCHTRANSFER.BILL.FINISHED"
NOTIFICATION_ASSOCIATED_DATA = "mch_payment"
NOTIFICATION_ORIGINAL_TYPE = "mch_payment"


def out_bill_no_path(out_bill_no: str) -> str:
    return f"{TRANSFER_BILLS_PATH}/out-bill-no/{validate_out_bill_no(out_bill_no)}"


def transfer_bill_no_path(transfer_bill_no: str) -> str:
    return f"{TRANSFER_BILLS_PATH}/transfer-bill-no/{validate_transfer_bill_no(transfer_bill_no)}"


def cancel_path(out_bill_no: str) -> str:
    return f"{out_bill_no_path(out_bill_no)}/cancel"


def transfer_bill_finished(notification: Notification) -> TransferBillFinished:
    """The typed result carried by a verified MCHTRANSFER.BILL.FINISHED notification."""
    if notification.event_type != EVENT_BILL_FINISHED:
        raise MalformedPayResponse(f"not a transfer-bill notification: {notification.event_type}")
    return TransferBillFinished.from_json(notification.resource)


class TransferClient:
    """Create, query and cancel transfer bills through a `PayClient`.

    Retries of retryable failures (SYSTEM_ERROR, FREQUENCY_LIMITED, 5xx, timeouts) happen inside
    `PayClient.request` and reuse the SAME out_bill_no and body, which is what makes them safe:
    Pay answers a repeat with the bill it already has instead of paying twice.
    """

    def __init__(self, pay: PayClient, *, max_amount_fen: int = DEFAULT_MAX_AMOUNT_FEN) -> None:
        self.pay = pay
        self.max_amount_fen = max_amount_fen

    async def create(self, request: TransferBillRequest) -> TransferBill:
        """POST a new bill (validated locally first); idempotent per out_bill_no."""
        request.validate(max_amount_fen=self.max_amount_fen)
        headers: dict[str, str] = {}
        encrypted_name = None
        if request.user_name:
            key = self.pay.platform_keys.encryption_key()
            encrypted_name = encrypt_sensitive(key.public_key, request.user_name)
            # Pay must know which of its keys to decrypt user_name with.
            headers[HEADER_SERIAL] = key.serial
        response = await self.pay.request(
            "POST",
            TRANSFER_BILLS_PATH,
            json_body=request.to_json(encrypted_user_name=encrypted_name),
            headers=headers,
        )
        bill = TransferBill.from_json(response.data)
        if bill.out_bill_no != request.out_bill_no:
            raise MalformedPayResponse("Pay answered for a different out_bill_no")
        return bill

    async def get_by_out_bill_no(self, out_bill_no: str) -> TransferBillDetail:
        response = await self.pay.request("GET", out_bill_no_path(out_bill_no))
        return TransferBillDetail.from_json(response.data)

    async def get_by_transfer_bill_no(self, transfer_bill_no: str) -> TransferBillDetail:
        response = await self.pay.request("GET", transfer_bill_no_path(transfer_bill_no))
        return TransferBillDetail.from_json(response.data)

    async def cancel(self, out_bill_no: str) -> CancelResult:
        """Cancel a bill the user has not confirmed yet; completes asynchronously (CANCELING)."""
        response = await self.pay.request("POST", cancel_path(out_bill_no))
        return CancelResult.from_json(response.data)

    async def aclose(self) -> None:
        await self.pay.aclose()


class SyncTransferClient:
    """Blocking twin of `TransferClient` for synchronous callers; same retry guarantees.

    Construct the `PayClient` without using it elsewhere: its connection pool is bound to this
    facade's private event loop. Call `close()` (or use `with`) to stop the loop thread.
    """

    def __init__(self, pay: PayClient, *, max_amount_fen: int = DEFAULT_MAX_AMOUNT_FEN) -> None:
        self._async = TransferClient(pay, max_amount_fen=max_amount_fen)
        self._loop = BackgroundLoop()

    def create(self, request: TransferBillRequest) -> TransferBill:
        return self._loop.run(self._async.create(request))

    def get_by_out_bill_no(self, out_bill_no: str) -> TransferBillDetail:
        return self._loop.run(self._async.get_by_out_bill_no(out_bill_no))

    def get_by_transfer_bill_no(self, transfer_bill_no: str) -> TransferBillDetail:
        return self._loop.run(self._async.get_by_transfer_bill_no(transfer_bill_no))

    def cancel(self, out_bill_no: str) -> CancelResult:
        return self._loop.run(self._async.cancel(out_bill_no))

    def close(self) -> None:
        with contextlib.suppress(RuntimeError):  # already closed
            self._loop.run(self._async.aclose())
        self._loop.close()

    def __enter__(self) -> SyncTransferClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
