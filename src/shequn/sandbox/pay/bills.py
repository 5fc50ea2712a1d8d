"""Transfer bills (商家转账, user-confirmation mode, reference E.1) and their life.

A bill document ("pay_bill", mchid, out_bill_no) keeps the request fields, transfer_bill_no,
state, package_info, create_time/update_time (RFC 3339, +08:00), fail_reason, created_at.
Creating one reserves its amount from the merchant's balance; SUCCESS debits it, and FAIL or
CANCELLED releases it. States: WAIT_USER_CONFIRM → SUCCESS (the user confirms) | FAIL (declined or
failed checks) | CANCELING → CANCELLED (merchant cancel) | CANCELLED with OVERDUE_CLOSE (24 h
without confirmation). Every final state is notified (MCHTRANSFER.BILL.FINISHED).
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.pay.merchants import require_merchant, save_merchant
from shequn.sandbox.state import Doc

BILL = "pay_bill"
EXPIRY_SECONDS = 24 * 3600
CANCEL_SECONDS = 1.0  # CANCELING settles to CANCELLED this long after the request
QUERY_WINDOW_SECONDS = 30 * 24 * 3600
FINAL = ("SUCCESS", "FAIL", "CANCELLED")
# Fields whose equality makes a repeated create "the same bill".
IDENTITY = (
    "appid",
    "transfer_scene_id",
    "openid",
    "transfer_amount",
    "transfer_remark",
    "user_recv_perception",
    "transfer_scene_report_infos",
)
_CHINA = dt.timezone(dt.timedelta(hours=8))


def rfc3339(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, _CHINA).isoformat(timespec="seconds")


def transfer_bill_no() -> str:
    return "1330" + "".join(str(secrets.randbelow(10)) for _ in range(36))


def get_bill(sandbox: Sandbox, mchid: str, out_bill_no: str) -> Doc | None:
    return sandbox.store.get(BILL, mchid, out_bill_no)


def find_by_transfer_no(sandbox: Sandbox, mchid: str, number: str) -> Doc | None:
    found = sandbox.store.list(BILL, mchid, where={"transfer_bill_no": number}, limit=1)
    return found[0] if found else None


def save_bill(sandbox: Sandbox, bill: Doc) -> None:
    sandbox.store.put(BILL, bill["mch_id"], bill["out_bill_no"], bill)


def list_bills(sandbox: Sandbox, mchid: str) -> list[Doc]:
    bills = sandbox.store.list(BILL, mchid)
    for bill in bills:
        settle(sandbox, bill)
    return sandbox.store.list(BILL, mchid)


def new_bill(
    sandbox: Sandbox, merchant: Doc, fields: dict[str, Any], notify_url: str | None
) -> Doc:
    """Create the bill and reserve its amount (the caller checked the balance)."""
    from shequn.sandbox.pay.push import schedule_expiry

    now = sandbox.now()
    bill: Doc = {
        "mch_id": merchant["mchid"],
        **{k: fields.get(k) for k in IDENTITY},
        "out_bill_no": fields["out_bill_no"],
        "transfer_bill_no": transfer_bill_no(),
        "state": "WAIT_USER_CONFIRM",
        "package_info": base64.b64encode(secrets.token_bytes(48)).decode("ascii"),
        "user_name": fields.get("user_name"),
        "notify_url": notify_url,
        "created_at": now,
        "create_time": rfc3339(now),
        "update_time": rfc3339(now),
        "fail_reason": None,
    }
    merchant["reserved_fen"] += bill["transfer_amount"]
    save_merchant(sandbox, merchant)
    bill["expiry_item"] = schedule_expiry(sandbox, bill, delay=EXPIRY_SECONDS)
    save_bill(sandbox, bill)
    return bill


def finish(sandbox: Sandbox, bill: Doc, state: str, fail_reason: str | None = None) -> Doc:
    """Move a bill to a final state, settle the money and queue the notification."""
    from shequn.sandbox.pay.push import cancel_expiry, enqueue_notification

    with sandbox.store.transaction():
        merchant = require_merchant(sandbox, bill["mch_id"])
        merchant["reserved_fen"] -= bill["transfer_amount"]
        if state == "SUCCESS":
            merchant["balance_fen"] -= bill["transfer_amount"]
        save_merchant(sandbox, merchant)
        bill["state"] = state
        bill["fail_reason"] = fail_reason
        bill["update_time"] = rfc3339(sandbox.now())
        if state != "CANCELLED":
            cancel_expiry(sandbox, bill)
        save_bill(sandbox, bill)
        if state != "CANCELLED":
            # Cancelled bills are announced by their timer item (expiry or cancellation).
            enqueue_notification(sandbox, bill)
    return bill


def settle(sandbox: Sandbox, bill: Doc) -> Doc:
    """Apply what time has done to the bill: cancellations complete, unconfirmed bills expire."""
    now = sandbox.now()
    if (
        bill["state"] == "CANCELING"
        and now >= bill.get("cancel_requested_at", now) + CANCEL_SECONDS
    ):
        return finish(sandbox, bill, "CANCELLED", "MCH_CANCEL")
    if bill["state"] == "WAIT_USER_CONFIRM" and now >= bill["created_at"] + EXPIRY_SECONDS:
        return finish(sandbox, bill, "CANCELLED", "OVERDUE_CLOSE")
    return bill


def request_cancel(sandbox: Sandbox, bill: Doc) -> Doc:
    from shequn.sandbox.pay.push import schedule_cancel

    bill["state"] = "CANCELING"
    bill["cancel_requested_at"] = sandbox.now()
    bill["update_time"] = rfc3339(sandbox.now())
    save_bill(sandbox, bill)
    schedule_cancel(sandbox, bill, delay=CANCEL_SECONDS)
    return bill


def detail_view(bill: Doc) -> Doc:
    keys = (
        "mch_id",
        "appid",
        "out_bill_no",
        "transfer_bill_no",
        "state",
        "transfer_amount",
        "transfer_remark",
        "openid",
        "user_name",
        "create_time",
        "update_time",
        "fail_reason",
    )
    view = {k: bill[k] for k in keys if bill.get(k) is not None}
    if bill["state"] == "WAIT_USER_CONFIRM":
        view["package_info"] = bill["package_info"]
    return view


def created_view(bill: Doc) -> Doc:
    view = {k: bill[k] for k in ("out_bill_no", "transfer_bill_no", "create_time", "state")}
    if bill["state"] == "WAIT_USER_CONFIRM":
        view["package_info"] = bill["package_info"]
    if bill.get("fail_reason"):
        view["fail_reason"] = bill["fail_reason"]
    return view


def finished_resource(bill: Doc) -> Doc:
    """The decrypted resource of MCHTRANSFER.BILL.FINISHED."""
    resource = {
        "mchid": bill["mch_id"],
        "out_bill_no": bill["out_bill_no"],
        "transfer_bill_no": bill["transfer_bill_no"],
        "state": bill["state"],
        "transfer_amount": bill["transfer_amount"],
        "openid": bill["openid"],
        "create_time": bill["create_time"],
        "update_time": bill["update_time"],
    }
    if bill.get("fail_reason"):
        resource["fail_reason"] = bill["fail_reason"]
    return resource
