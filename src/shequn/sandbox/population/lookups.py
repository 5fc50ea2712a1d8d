"""What customers can see of the other platforms: the WeCom corp's contact and join ways (the
codes they may scan) and the transfer bills waiting for them to confirm.

These read the WeCom and Pay sandboxes' state documents (read-only); customers change that state
only through the platforms' customer actions (see platforms.py).
"""

from __future__ import annotations

from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.population.invites import Invite, KnownCodes

CONTACT_WAY_KINDS = ("wecom_contact_way",)
JOIN_WAY_KINDS = ("wecom_join_way",)
BILL_KINDS = ("pay_bill",)
BILL_LIFETIME = 24 * 3600  # unconfirmed bills close after a day (Pay settles them lazily)
WAITING = "WAIT_USER_CONFIRM"


def docs(sandbox: Sandbox, kinds: tuple[str, ...], scope: str, limit: int = 5000) -> list[Any]:
    for kind in kinds:
        docs = sandbox.store.list(kind, scope, limit=limit)
        if docs:
            return docs
    return []


def _qr_keys(url: Any) -> tuple[str, ...]:
    """The image URL and its key: the key is also what the printed code's link carries."""
    if not isinstance(url, str) or not url:
        return ()
    parts = url.rstrip("/").split("/")
    key = parts[-2] if len(parts) >= 2 and len(parts[-2]) >= 16 else ""
    return (url, key) if key else (url,)


def known_codes(sandbox: Sandbox, corpid: str) -> KnownCodes:
    known = KnownCodes()
    for way in docs(sandbox, CONTACT_WAY_KINDS, corpid):
        users = way.get("user") or way.get("users") or []
        if not users or not way.get("config_id"):
            continue
        invite = Invite("staff", str(way["config_id"]), str(users[0]), way.get("state") or None)
        known.add(invite, *_qr_keys(way.get("qr_code")))
    for way in docs(sandbox, JOIN_WAY_KINDS, corpid):
        if not way.get("config_id"):
            continue
        invite = Invite("join", str(way["config_id"]), None, way.get("state") or None)
        known.add(invite, *_qr_keys(way.get("qr_code")))
    return known


def waiting_bills(sandbox: Sandbox, mchid: str, limit: int = 2000) -> list[dict[str, Any]]:
    """Transfer bills in WAIT_USER_CONFIRM: {out_bill_no, openid, appid, amount}."""
    for kind in BILL_KINDS:
        now = sandbox.now()
        docs = [
            d
            for d in sandbox.store.list(kind, mchid, where={"state": WAITING}, limit=limit)
            if d.get("created_at", now) + BILL_LIFETIME > now
        ]
        if docs:
            return [
                {
                    "out_bill_no": d.get("out_bill_no"),
                    "openid": d.get("openid"),
                    "appid": d.get("appid"),
                    "amount": d.get("transfer_amount"),
                    "remark": d.get("transfer_remark", ""),
                }
                for d in docs
            ]
    return []


def waiting_bills_for(sandbox: Sandbox, openids: set[str]) -> list[dict[str, Any]]:
    """Bills waiting for any of these openids, across merchants (the phone page's red packets)."""
    out = []
    for kind in BILL_KINDS:
        for mchid in sandbox.store.scopes(kind):
            out += [
                {**bill, "mchid": mchid}
                for bill in waiting_bills(sandbox, mchid)
                if bill["openid"] in openids
            ]
    return out
