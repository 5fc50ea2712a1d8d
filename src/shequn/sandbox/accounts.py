"""Official accounts and their customers (followers or not) as stored in the sandbox.

An account document: appid, secret, token, encoding_aes_key, previous_encoding_aes_key,
original_id, name, kind ("service" | "subscription"), verified, callback_url, encryption
("plaintext" | "compatible" | "safe"), ip_whitelist (None = off), quotas ({cgi_path: daily limit}
overrides), open_platform (followers get a unionid), callback_delays.
A customer document ("follower", appid, openid) exists once the sandbox knows the person, and has
subscribe 0/1 like user/info.
"""

from __future__ import annotations

from typing import Any

from shequn.sandbox import ids
from shequn.sandbox.context import Sandbox
from shequn.sandbox.state import Doc

ACCOUNT = "account"
FOLLOWER = "follower"

KINDS = ("service", "subscription")
ENCRYPTIONS = ("plaintext", "compatible", "safe")

DEFAULT_CALLBACK_DELAYS = {"mass": 2.0, "publish": 2.0, "template": 1.0}


def create_account(sandbox: Sandbox, **fields: Any) -> Doc:
    kind = fields.get("kind", "service")
    encryption = fields.get("encryption", "safe")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if encryption not in ENCRYPTIONS:
        raise ValueError(f"encryption must be one of {ENCRYPTIONS}")
    aes_key = fields.get("encoding_aes_key") or ids.encoding_aes_key()
    if len(aes_key) != 43 or not aes_key.isalnum():
        raise ValueError("encoding_aes_key must be 43 letters or digits")
    appid = fields.get("appid") or ids.appid()
    account: Doc = {
        "appid": appid,
        "secret": fields.get("secret") or ids.app_secret(),
        "token": fields.get("token") or ids.token_secret(),
        "encoding_aes_key": aes_key,
        "previous_encoding_aes_key": fields.get("previous_encoding_aes_key"),
        "original_id": fields.get("original_id") or ids.original_id(),
        "name": fields.get("name") or appid,
        "kind": kind,
        "verified": bool(fields.get("verified", True)),
        "callback_url": fields.get("callback_url"),
        "encryption": encryption,
        "ip_whitelist": fields.get("ip_whitelist"),
        "quotas": dict(fields.get("quotas") or {}),
        "open_platform": bool(fields.get("open_platform", True)),
        "callback_delays": {**DEFAULT_CALLBACK_DELAYS, **(fields.get("callback_delays") or {})},
        "duplicate_rate": fields.get("duplicate_rate"),
        "created_at": sandbox.now(),
    }
    sandbox.store.put(ACCOUNT, "", appid, account)
    return account


UPDATABLE = {
    "secret",
    "token",
    "encoding_aes_key",
    "previous_encoding_aes_key",
    "name",
    "kind",
    "verified",
    "callback_url",
    "encryption",
    "ip_whitelist",
    "quotas",
    "open_platform",
    "callback_delays",
    "duplicate_rate",
}


def update_account(sandbox: Sandbox, appid: str, **changes: Any) -> Doc:
    account = get_account(sandbox, appid)
    if account is None:
        raise KeyError(appid)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    if "kind" in changes and changes["kind"] not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if "encryption" in changes and changes["encryption"] not in ENCRYPTIONS:
        raise ValueError(f"encryption must be one of {ENCRYPTIONS}")
    if "quotas" in changes:
        changes["quotas"] = {**account["quotas"], **changes["quotas"]}
    if "callback_delays" in changes:
        changes["callback_delays"] = {**account["callback_delays"], **changes["callback_delays"]}
    account.update(changes)
    sandbox.store.put(ACCOUNT, "", appid, account)
    return account


def get_account(sandbox: Sandbox, appid: str) -> Doc | None:
    return sandbox.store.get(ACCOUNT, "", appid)


def list_accounts(sandbox: Sandbox) -> list[Doc]:
    return sandbox.store.list(ACCOUNT, "")


def create_customer(sandbox: Sandbox, appid: str, **fields: Any) -> Doc:
    """A person known to this account; `subscribe` (default True) makes them a follower now."""
    account = get_account(sandbox, appid)
    if account is None:
        raise KeyError(appid)
    openid = fields.get("openid") or ids.openid()
    if sandbox.store.get(FOLLOWER, appid, openid) is not None:
        raise ValueError(f"customer {openid} already exists")
    subscribed = bool(fields.get("subscribe", True))
    now = sandbox.now()
    customer: Doc = {
        "openid": openid,
        "unionid": fields.get("unionid") or (ids.unionid() if account["open_platform"] else None),
        "nickname": fields.get("nickname", "微信用户"),
        "headimgurl": fields.get("headimgurl", ""),
        "sex": int(fields.get("sex", 0)),
        "language": fields.get("language", "zh_CN"),
        "city": fields.get("city", ""),
        "province": fields.get("province", ""),
        "country": fields.get("country", ""),
        "platform": fields.get("platform", "android"),
        "subscribe": 1 if subscribed else 0,
        "subscribe_time": int(fields.get("subscribe_time", now)) if subscribed else 0,
        "subscribe_scene": fields.get("subscribe_scene", "ADD_SCENE_SEARCH") if subscribed else "",
        "qr_scene": int(fields.get("qr_scene", 0)),
        "qr_scene_str": fields.get("qr_scene_str", ""),
        "remark": fields.get("remark", ""),
        "tagid_list": list(fields.get("tagid_list", [])),
        "blacklisted": bool(fields.get("blacklisted", False)),
        "accepts_messages": bool(fields.get("accepts_messages", True)),
        "cs_windows": {},
        "created_at": now,
    }
    sandbox.store.put(FOLLOWER, appid, openid, customer)
    if subscribed:
        # Analytics (datacube) count followers from these events.
        sandbox.store.append("oa_event", appid, now, {"openid": openid, "event": "subscribe"})
    return customer


def get_customer(sandbox: Sandbox, appid: str, openid: str) -> Doc | None:
    return sandbox.store.get(FOLLOWER, appid, openid)


def save_customer(sandbox: Sandbox, appid: str, customer: Doc) -> None:
    sandbox.store.put(FOLLOWER, appid, customer["openid"], customer)


def openid_owner(sandbox: Sandbox, openid: str) -> str | None:
    """Which account an openid belongs to (49003 when another account's openid is used)."""
    for appid in sandbox.store.scopes(FOLLOWER):
        if sandbox.store.get(FOLLOWER, appid, openid) is not None:
            return str(appid)
    return None
