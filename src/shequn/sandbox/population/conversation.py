"""Both sides of a customer's chat with an official account.

What the account sent is the framework's "received" log; what the customer sent (by hand on the
phone page or as a simulated customer) is logged here as "customer_sent", so a chat can be shown
in order. Log ids come from one table, so sorting by id interleaves the two sides correctly.
"""

from __future__ import annotations

from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.officialaccount.received import RECEIVED
from shequn.sandbox.state import Doc

SENT = "customer_sent"


def record_sent(
    sandbox: Sandbox, appid: str, openid: str, kind: str, content: str = "", **extra: Any
) -> int:
    entry = {"openid": openid, "kind": kind, "content": content, **extra}
    return sandbox.store.append(SENT, appid, sandbox.now(), entry)


def transcript(
    sandbox: Sandbox, appid: str, openid: str, *, since_id: int = 0, limit: int = 200
) -> list[Doc]:
    """The last `limit` messages both ways, oldest first, each with `from` = customer|account."""
    store = sandbox.store
    where = {"openid": openid}
    mine = [
        {**e, "from": "customer"}
        for e in store.entries(SENT, appid, where=where, since_id=since_id)
    ]
    theirs = [
        {**e, "from": "account"}
        for e in store.entries(RECEIVED, appid, where=where, since_id=since_id)
    ]
    merged = sorted(mine + theirs, key=lambda e: e["id"])
    return merged[-limit:]
