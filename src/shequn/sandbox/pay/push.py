"""Pay notifications: MCHTRANSFER.BILL.FINISHED, signed with the platform key and with the
resource AES-256-GCM encrypted under the APIv3 key, POSTed to the notify URL (E.1, E.4).

Every item names a bill; preparing it first settles the bill on the sandbox clock, so the 24-hour
expiry and the completion of a cancellation are outbox items due at that time, which become the
notification. An answer other than 200/204 is retried on Pay's schedule (15 s, 15 s, 30 s, 3 min
... 6 h: 24 h 4 min in all), each retry a new outbox item; one attempt per item, 5 s timeout.
"""

from __future__ import annotations

import datetime as dt

import httpx

from shequn.sandbox.callbacks import Outcome, Prepared
from shequn.sandbox.context import Sandbox
from shequn.sandbox.pay import bills
from shequn.sandbox.pay.merchants import get_merchant, platform_key
from shequn.sandbox.state import Doc
from shequn.wechat.pay.notifications import build_notification
from shequn.wechat.pay.transfer import (
    EVENT_BILL_FINISHED,
    NOTIFICATION_ASSOCIATED_DATA,
    NOTIFICATION_ORIGINAL_TYPE,
)

CHANNEL = "pay"
RETRY_SCHEDULE = (
    15,
    15,
    30,
    180,
    600,
    1200,
    1800,
    1800,
    1800,
    3600,
    10800,
    10800,
    10800,
    21600,
    21600,
)
SUMMARY = "商家转账单据终态通知"


def _item(bill: Doc, retry: int = 0) -> Doc:
    return {
        "mchid": bill["mch_id"],
        "out_bill_no": bill["out_bill_no"],
        "retry": retry,
        "summary": f"{EVENT_BILL_FINISHED} {bill['out_bill_no']}",
    }


def enqueue_notification(sandbox: Sandbox, bill: Doc) -> int:
    return sandbox.callbacks.enqueue(CHANNEL, bill["mch_id"], _item(bill))


def schedule_expiry(sandbox: Sandbox, bill: Doc, *, delay: float) -> int:
    return sandbox.callbacks.enqueue(CHANNEL, bill["mch_id"], _item(bill), delay=delay)


def schedule_cancel(sandbox: Sandbox, bill: Doc, *, delay: float) -> int:
    return sandbox.callbacks.enqueue(CHANNEL, bill["mch_id"], _item(bill), delay=delay)


def cancel_expiry(sandbox: Sandbox, bill: Doc) -> None:
    if bill.get("expiry_item"):
        sandbox.store.finish(int(bill["expiry_item"]), "superseded", 0)


class PayChannel:
    name = CHANNEL
    attempts = 1
    ok_statuses = frozenset({200, 204})
    timeout = 5.0

    def prepare(self, sandbox: Sandbox, scope: str, data: Doc) -> Prepared | None:
        merchant = get_merchant(sandbox, scope)
        bill = bills.get_bill(sandbox, scope, data["out_bill_no"])
        if merchant is None or bill is None:
            return None
        bill = bills.settle(sandbox, bill)
        url = merchant.get("notify_url") or bill.get("notify_url")
        if bill["state"] not in bills.FINAL or not url:
            return None
        now = sandbox.now()
        signed = build_notification(
            platform_key(merchant),
            merchant["platform_serial"],
            merchant["api_v3_key"],
            event_type=EVENT_BILL_FINISHED,
            resource=bills.finished_resource(bill),
            original_type=NOTIFICATION_ORIGINAL_TYPE,
            associated_data=NOTIFICATION_ASSOCIATED_DATA,
            summary=SUMMARY,
            # Retries repeat the same notification id, as Pay does.
            notification_id=f"EV-{bill['transfer_bill_no']}",
            create_time=dt.datetime.fromtimestamp(now, dt.UTC),
            timestamp=int(sandbox.wall_now()),  # transport stamp; create_time is business time
        )
        return Prepared(url=url, content=signed.body, headers=signed.headers)

    def accept(
        self, sandbox: Sandbox, scope: str, data: Doc, prepared: Prepared, response: httpx.Response
    ) -> Outcome:
        return Outcome(True, "acknowledged")

    def on_failure(self, sandbox: Sandbox, scope: str, data: Doc) -> None:
        retry = int(data.get("retry", 0))
        if retry < len(RETRY_SCHEDULE):
            sandbox.callbacks.enqueue(
                CHANNEL, scope, {**data, "retry": retry + 1}, delay=RETRY_SCHEDULE[retry]
            )

    def duplicate_rate(self, sandbox: Sandbox, scope: str) -> float:
        merchant = get_merchant(sandbox, scope)
        if merchant is not None and merchant.get("duplicate_rate") is not None:
            return float(merchant["duplicate_rate"])
        return sandbox.faults.duplicate_rate()
