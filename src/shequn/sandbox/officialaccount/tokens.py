"""access_token issuance and checking: /cgi-bin/token and /cgi-bin/stable_token (reference §5).

Plain tokens: every successful call issues a new token; the previous one stays valid for 5 more
minutes, older ones answer 40001. Stable tokens live in a separate space: the same token is
returned while valid and rotated in the last 5 minutes (old and new both valid meanwhile);
force_refresh invalidates the previous one, at most 20 times a day and 30 s apart (closer calls
return the current token unchanged).
"""

from __future__ import annotations

import hmac
import re
from typing import Any

from shequn.sandbox import ids
from shequn.sandbox.accounts import get_account
from shequn.sandbox.clock import shanghai_day
from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area, Call
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS
from shequn.sandbox.state import Doc

TOKEN = "oa_token"  # noqa: S105 - a document kind, not a secret
LIFETIME = 7200
OVERLAP = 300
STABLE_FORCE_PER_DAY = 20
STABLE_FORCE_SPACING = 30
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_\-]{32,512}$")

area = Area("tokens", quotas=DAILY_QUOTAS)


def _check_credentials(call: Call, appid: str | None, secret: str | None) -> Doc:
    if not appid:
        raise ApiError(41002)
    if not secret:
        raise ApiError(41004)
    account = get_account(call.sandbox, appid)
    if account is None:
        raise ApiError(40013)
    if not hmac.compare_digest(str(account["secret"]).encode(), str(secret).encode()):
        raise ApiError(40125)
    whitelist = account.get("ip_whitelist")
    ip = call.client_ip()
    if whitelist is not None and ip not in whitelist:
        raise ApiError(40164, f"invalid ip {ip} ipv6 ::ffff:{ip}, not in whitelist")
    return account


def _charge(call: Call, account: Doc, path: str) -> None:
    from shequn.sandbox.endpoints import count_call, quota_limit

    count_call(call.sandbox, account, path, quota_limit(account, path, DAILY_QUOTAS))


def _tokens(sandbox: Sandbox, appid: str, space: str) -> list[Doc]:
    return sandbox.store.list(TOKEN, "", where={"appid": appid, "space": space}, newest_first=True)


def _issue(sandbox: Sandbox, appid: str, space: str, now: float) -> Doc:
    token: Doc = {
        "token": ids.access_token(),
        "appid": appid,
        "space": space,
        "issued_at": now,
        "expires_at": now + LIFETIME,
        "valid_until": now + LIFETIME,
    }
    sandbox.store.put(TOKEN, "", token["token"], token)
    return token


@area.api("/cgi-bin/token", methods=("GET",), auth=False)
async def get_token(call: Call) -> dict[str, Any]:
    if call.query.get("grant_type") != "client_credential":
        raise ApiError(40002)
    account = _check_credentials(call, call.query.get("appid"), call.query.get("secret"))
    _charge(call, account, "/cgi-bin/token")
    now = call.deadline_now()  # token lifetimes are protocol deadlines
    store = call.sandbox.store
    with store.transaction():
        for old in _tokens(call.sandbox, account["appid"], "plain"):
            if old["valid_until"] <= now:
                store.delete(TOKEN, "", old["token"])
            else:
                old["valid_until"] = min(old["valid_until"], now + OVERLAP)
                store.put(TOKEN, "", old["token"], old)
        token = _issue(call.sandbox, account["appid"], "plain", now)
    return {"access_token": token["token"], "expires_in": LIFETIME}


@area.api("/cgi-bin/stable_token", methods=("POST",), auth=False)
async def get_stable_token(call: Call) -> dict[str, Any]:
    body = call.json()
    if body.get("grant_type") != "client_credential":
        raise ApiError(40002)
    account = _check_credentials(call, body.get("appid"), body.get("secret"))
    _charge(call, account, "/cgi-bin/stable_token")
    force = bool(body.get("force_refresh", False))
    now = call.deadline_now()  # token lifetimes are protocol deadlines
    store = call.sandbox.store
    appid = account["appid"]
    with store.transaction():
        live = [t for t in _tokens(call.sandbox, appid, "stable") if t["valid_until"] > now]
        current = live[0] if live else None
        if force:
            last_force = store.meta_get(f"stable_force:{appid}")
            if current is not None and last_force and now - last_force < STABLE_FORCE_SPACING:
                # Too soon after the last forced refresh: WeChat does not refresh.
                return _stable_answer(current, now)
            day = shanghai_day(call.now())  # quota days are business time
            if store.counter(f"stable_force:{appid}", "force", day) >= STABLE_FORCE_PER_DAY:
                raise ApiError(45009)
            store.incr(f"stable_force:{appid}", "force", day)
            store.meta_set(f"stable_force:{appid}", now)
            for old in live:
                old["valid_until"] = now
                store.put(TOKEN, "", old["token"], old)
            return _stable_answer(_issue(call.sandbox, appid, "stable", now), now)
        if current is None or current["expires_at"] - now <= OVERLAP:
            # Rotation window: the old token stays valid until its own expiry.
            current = _issue(call.sandbox, appid, "stable", now)
        return _stable_answer(current, now)


def _stable_answer(token: Doc, now: float) -> dict[str, Any]:
    return {"access_token": token["token"], "expires_in": int(token["expires_at"] - now)}


async def oa_access_token(call: Call) -> Doc:
    """Authenticator for every official-account API taking ?access_token=."""
    token = call.query.get("access_token")
    if not token:
        raise ApiError(41001)
    if not _TOKEN_SHAPE.match(token):
        raise ApiError(40014)
    doc = call.sandbox.store.get(TOKEN, "", token)
    now = call.deadline_now()  # token lifetimes are protocol deadlines
    if doc is None:
        raise ApiError(40001)
    if now >= doc["expires_at"]:
        raise ApiError(42001)
    if now >= doc["valid_until"]:
        raise ApiError(40001)
    account = get_account(call.sandbox, doc["appid"])
    if account is None:
        raise ApiError(40001)
    return account
