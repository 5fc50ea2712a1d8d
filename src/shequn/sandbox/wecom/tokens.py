"""/cgi-bin/gettoken and the access_token check every customer-contact API makes (A.2).

WeCom hands out the same token while it is valid (7200 s) and a new one after it expired; the
sandbox can also revoke tokens early (control API) as WeCom may, which answers 40014.
"""

from __future__ import annotations

import hmac
import re
from typing import Any

from shequn.sandbox import ids
from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call
from shequn.sandbox.state import Doc
from shequn.sandbox.wecom.corps import get_corp
from shequn.sandbox.wecom.errors import wecom_error

TOKEN = "wecom_token"  # noqa: S105 - a document kind, not a secret
LIFETIME = 7200
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{32,512}$")

area = Area("wecom_tokens")


def _live_token(sandbox: Sandbox, corpid: str, now: float) -> Doc | None:
    for doc in sandbox.store.list(TOKEN, corpid, newest_first=True):
        if doc["expires_at"] > now and not doc.get("revoked"):
            return doc
    return None


@area.api("/cgi-bin/gettoken", methods=("GET",), auth=False)
async def gettoken(call: Call) -> dict[str, Any]:
    corpid = call.query.get("corpid")
    secret = call.query.get("corpsecret")
    if not corpid:
        raise wecom_error(41002)
    if not secret:
        raise wecom_error(41004)
    corp = get_corp(call.sandbox, corpid)
    if corp is None:
        raise wecom_error(40013, corpid)
    if not hmac.compare_digest(str(corp["secret"]).encode(), str(secret).encode()):
        raise wecom_error(40001)
    now = call.deadline_now()  # token lifetimes are protocol deadlines
    store = call.sandbox.store
    with store.transaction():
        token = _live_token(call.sandbox, corpid, now)
        if token is None:
            token = {
                "token": ids.access_token(),
                "corpid": corpid,
                "issued_at": now,
                "expires_at": now + LIFETIME,
            }
            store.put(TOKEN, corpid, token["token"], token)
    return {
        "errcode": 0,
        "errmsg": "ok",
        "access_token": token["token"],
        "expires_in": int(token["expires_at"] - now),
    }


def revoke_tokens(sandbox: Sandbox, corpid: str) -> int:
    """Invalidate every token of the corp early (clients must re-fetch on 40014)."""
    count = 0
    for doc in sandbox.store.list(TOKEN, corpid):
        doc["revoked"] = True
        sandbox.store.put(TOKEN, corpid, doc["token"], doc)
        count += 1
    return count


def _find_token(sandbox: Sandbox, token: str) -> Doc | None:
    for corpid in sandbox.store.scopes(TOKEN):
        doc = sandbox.store.get(TOKEN, corpid, token)
        if doc is not None:
            return doc
    return None


async def wecom_access_token(call: Call) -> Doc:
    """Authenticator for the customer-contact APIs (?access_token=)."""
    token = call.query.get("access_token")
    if not token:
        raise wecom_error(41001)
    if not _TOKEN_SHAPE.match(token):
        raise wecom_error(40014)
    doc = _find_token(call.sandbox, token)
    if doc is None or doc.get("revoked"):
        raise wecom_error(40014)
    if call.deadline_now() >= doc["expires_at"]:
        raise wecom_error(42001)
    corp = get_corp(call.sandbox, doc["corpid"])
    if corp is None:
        raise wecom_error(40014)
    return corp
