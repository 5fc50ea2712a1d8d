"""WeCom corps as the sandbox keeps them: credentials, callback settings, staff and limits.

A corp document ("wecom_corp", "", corpid): corpid, secret (the customer-contact app secret),
agentid, token, encoding_aes_key, callback_url, staff [{userid, name, customer_contact}],
limits (see DEFAULT_LIMITS), mass_rule, mass_confirm_delay, duplicate_rate.
"""

from __future__ import annotations

import secrets
from typing import Any

from shequn.sandbox import ids
from shequn.sandbox.context import Sandbox
from shequn.sandbox.state import Doc

CORP = "wecom_corp"

# Documented limits (reference D.1), overridable per corp so tests can reach them cheaply.
DEFAULT_LIMITS: dict[str, int] = {
    "group_max_members": 500,
    # Operators report QR joins stopping earlier than the hard cap; same as the cap by default.
    "qr_join_max_members": 500,
    "corp_tags": 3000,
    "ways": 500_000,  # 「联系我」 + 「加入群聊」 created through the API, shared
}
# Mass-message receipt rules per customer/group (B.10): how many per which period.
MASS_RULES = {
    "month": ("month", None),  # days of the month per natural month (current default)
    "week": ("week", 7),
    "day": ("day", 1),
    "four_per_month": ("month", 4),  # the historic rule
}


def corp_id() -> str:
    return "ww" + secrets.token_hex(8)


def create_corp(sandbox: Sandbox, **fields: Any) -> Doc:
    corpid = fields.get("corpid") or corp_id()
    if get_corp(sandbox, corpid) is not None:
        raise ValueError(f"corp {corpid} exists")
    aes_key = fields.get("encoding_aes_key") or ids.encoding_aes_key()
    if len(aes_key) != 43 or not aes_key.isalnum():
        raise ValueError("encoding_aes_key must be 43 letters or digits")
    rule = fields.get("mass_rule", "month")
    if rule not in MASS_RULES:
        raise ValueError(f"mass_rule must be one of {sorted(MASS_RULES)}")
    corp: Doc = {
        "corpid": corpid,
        "name": fields.get("name") or corpid,
        "secret": fields.get("secret") or secrets.token_urlsafe(32),
        "agentid": int(fields.get("agentid", 1000002)),
        "token": fields.get("token") or ids.token_secret(),
        "encoding_aes_key": aes_key,
        "callback_url": fields.get("callback_url"),
        "staff": [_staff(s) for s in fields.get("staff") or []],
        "limits": {**DEFAULT_LIMITS, **(fields.get("limits") or {})},
        "mass_rule": rule,
        "mass_confirm_delay": fields.get("mass_confirm_delay"),
        "duplicate_rate": fields.get("duplicate_rate"),
        "open_platform": bool(fields.get("open_platform", True)),
    }
    save_corp(sandbox, corp)
    return corp


def _staff(spec: Any) -> Doc:
    if isinstance(spec, str):
        spec = {"userid": spec}
    if not isinstance(spec, dict) or not spec.get("userid"):
        raise ValueError("each staff entry needs a userid")
    return {
        "userid": str(spec["userid"]),
        "name": str(spec.get("name") or spec["userid"]),
        "customer_contact": bool(spec.get("customer_contact", True)),
    }


UPDATABLE = {
    "name",
    "secret",
    "agentid",
    "token",
    "encoding_aes_key",
    "callback_url",
    "staff",
    "limits",
    "mass_rule",
    "mass_confirm_delay",
    "duplicate_rate",
    "open_platform",
}


def update_corp(sandbox: Sandbox, corpid: str, **fields: Any) -> Doc:
    corp = require_corp(sandbox, corpid)
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    if "staff" in fields:
        fields["staff"] = [_staff(s) for s in fields["staff"] or []]
    if "limits" in fields:
        fields["limits"] = {**corp["limits"], **(fields["limits"] or {})}
    if "mass_rule" in fields and fields["mass_rule"] not in MASS_RULES:
        raise ValueError(f"mass_rule must be one of {sorted(MASS_RULES)}")
    corp.update(fields)
    save_corp(sandbox, corp)
    return corp


def get_corp(sandbox: Sandbox, corpid: str) -> Doc | None:
    return sandbox.store.get(CORP, "", corpid)


def require_corp(sandbox: Sandbox, corpid: str) -> Doc:
    corp = get_corp(sandbox, corpid)
    if corp is None:
        raise KeyError(f"corp {corpid}")
    return corp


def save_corp(sandbox: Sandbox, corp: Doc) -> None:
    sandbox.store.put(CORP, "", corp["corpid"], corp)


def list_corps(sandbox: Sandbox) -> list[Doc]:
    return sandbox.store.list(CORP, "")


def staff_member(corp: Doc, userid: str) -> Doc | None:
    return next((s for s in corp["staff"] if s["userid"] == userid), None)


def contact_staff(corp: Doc) -> list[str]:
    """Members with customer contact enabled (get_follow_user_list)."""
    return [s["userid"] for s in corp["staff"] if s.get("customer_contact")]


def limit(corp: Doc, name: str) -> int:
    return int((corp.get("limits") or {}).get(name, DEFAULT_LIMITS[name]))


def public_corp(corp: Doc) -> Doc:
    """The corp as the control API shows it (everything; this is a test double)."""
    return dict(corp)
