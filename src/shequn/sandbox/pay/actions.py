"""What a payee does in WeChat with a transfer bill: confirm receipt, or not get the money.

`confirm_transfer` is the user tapping 确认收款 on the page opened with package_info: the bill
turns SUCCESS, the merchant balance is debited and the notification is queued.
`decline_transfer` ends the bill in FAIL (fail_reason defaults to OTHER_FAIL_REASON_TYPE; pass
e.g. REAL_NAME_CHECK_FAIL to simulate a failed check).
"""

from __future__ import annotations

from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.officialaccount.inbound import CustomerActionError
from shequn.sandbox.pay import bills
from shequn.sandbox.state import Doc


def _waiting(sandbox: Sandbox, mchid: str, out_bill_no: str) -> Doc:
    bill = bills.get_bill(sandbox, mchid, out_bill_no)
    if bill is None:
        raise CustomerActionError(f"no bill {out_bill_no} of merchant {mchid}")
    bill = bills.settle(sandbox, bill)
    if bill["state"] != "WAIT_USER_CONFIRM":
        raise CustomerActionError(f"bill {out_bill_no} is {bill['state']}")
    return bill


def _answer(bill: Doc) -> dict[str, Any]:
    keys = ("out_bill_no", "transfer_bill_no", "state", "fail_reason", "transfer_amount")
    return {k: bill.get(k) for k in keys}


async def confirm_transfer(sandbox: Sandbox, mchid: str, *, out_bill_no: str) -> dict[str, Any]:
    with sandbox.store.transaction():
        bill = bills.finish(sandbox, _waiting(sandbox, mchid, out_bill_no), "SUCCESS")
    return _answer(bill)


async def decline_transfer(
    sandbox: Sandbox,
    mchid: str,
    *,
    out_bill_no: str,
    fail_reason: str = "OTHER_FAIL_REASON_TYPE",
) -> dict[str, Any]:
    with sandbox.store.transaction():
        bill = _waiting(sandbox, mchid, out_bill_no)
        bill = bills.finish(sandbox, bill, "FAIL", fail_reason)
    return _answer(bill)
