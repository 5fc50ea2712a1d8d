"""Who the person holding the phone is, and what their WeChat shows.

A customer is named by any of their ids: an official-account openid, a WeCom external_userid or
a simulated person's cid. One person's ids are tied together by their unionid (as WeChat's open
platform does), so the phone shows every account, staff chat and group of that person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shequn.sandbox import accounts
from shequn.sandbox.context import Sandbox
from shequn.sandbox.population.people import PERSON
from shequn.sandbox.state import Doc

CONTACT = "wecom_contact"
GROUP = "wecom_group"
CORP = "wecom_corp"


class UnknownCustomerError(LookupError):
    pass


@dataclass
class Identity:
    nickname: str
    unionid: str | None
    openids: dict[str, str] = field(default_factory=dict)  # appid → openid
    externals: dict[str, str] = field(default_factory=dict)  # corpid → external_userid
    cid: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "nickname": self.nickname,
            "unionid": self.unionid,
            "openids": self.openids,
            "externals": self.externals,
            "cid": self.cid,
        }


def _person_by(sandbox: Sandbox, **where: Any) -> Doc | None:
    for scenario in sandbox.store.scopes(PERSON):
        found = sandbox.store.list(PERSON, scenario, where=where, limit=1)
        if found:
            return found[0]
    return None


def resolve(sandbox: Sandbox, customer: str) -> Identity:
    store = sandbox.store
    nickname, unionid = customer, None
    person = _person_by(sandbox, cid=customer)
    appid = accounts.openid_owner(sandbox, customer)
    contact = None
    if appid is not None:
        doc = accounts.get_customer(sandbox, appid, customer) or {}
        nickname, unionid = doc.get("nickname", customer), doc.get("unionid")
    elif person is not None:
        nickname, unionid = person["nickname"], person["unionid"]
    else:
        for corpid in store.scopes(CONTACT):
            contact = store.get(CONTACT, corpid, customer)
            if contact is not None:
                nickname, unionid = contact.get("name", customer), contact.get("unionid")
                break
        else:
            raise UnknownCustomerError(customer)
    identity = Identity(nickname=nickname, unionid=unionid)
    if appid is not None:
        identity.openids[appid] = customer
    if contact is not None:
        identity.externals[_corp_of(sandbox, customer)] = customer
    if unionid:
        person = person or _person_by(sandbox, unionid=unionid)
        for account_id in store.scopes(accounts.FOLLOWER):
            for doc in store.list(
                accounts.FOLLOWER, account_id, where={"unionid": unionid}, limit=1
            ):
                identity.openids.setdefault(account_id, doc["openid"])
        for corpid in store.scopes(CONTACT):
            for doc in store.list(CONTACT, corpid, where={"unionid": unionid}, limit=1):
                identity.externals.setdefault(corpid, doc["external_userid"])
    if person is not None:
        identity.cid = person["cid"]
        for account_id, openid in person["openids"].items():
            identity.openids.setdefault(account_id, openid)
    return identity


def _corp_of(sandbox: Sandbox, external_userid: str) -> str:
    for corpid in sandbox.store.scopes(CONTACT):
        if sandbox.store.get(CONTACT, corpid, external_userid) is not None:
            return corpid
    return ""


def candidates(sandbox: Sandbox, query: str = "", limit: int = 50) -> list[dict[str, Any]]:
    """Customers to pick from: followers of every account, then WeCom contacts."""
    out: list[dict[str, Any]] = []
    store = sandbox.store
    for account in accounts.list_accounts(sandbox):
        for doc in store.list(accounts.FOLLOWER, account["appid"], limit=2000):
            if query and query not in doc["openid"] and query not in doc.get("nickname", ""):
                continue
            out.append(
                {
                    "id": doc["openid"],
                    "nickname": doc.get("nickname", ""),
                    "where": account["name"],
                    "following": doc["subscribe"] == 1,
                }
            )
            if len(out) >= limit:
                return out
    for corpid in store.scopes(CONTACT):
        for doc in store.list(CONTACT, corpid, limit=2000):
            if query and query not in doc["external_userid"] and query not in doc.get("name", ""):
                continue
            out.append(
                {"id": doc["external_userid"], "nickname": doc.get("name", ""), "where": corpid}
            )
            if len(out) >= limit:
                return out
    return out


def groups_of(sandbox: Sandbox, identity: Identity) -> list[dict[str, Any]]:
    out = []
    for corpid, external in sorted(identity.externals.items()):
        for group in sandbox.store.list(GROUP, corpid):
            if group.get("dismissed"):
                continue
            if any(m["userid"] == external for m in group["member_list"]):
                out.append(
                    {
                        "corpid": corpid,
                        "chat_id": group["chat_id"],
                        "name": group["name"],
                        "members": len(group["member_list"]),
                    }
                )
    return out


def staff_of(sandbox: Sandbox, identity: Identity) -> list[dict[str, Any]]:
    out = []
    for corpid, external in sorted(identity.externals.items()):
        contact = sandbox.store.get(CONTACT, corpid, external) or {}
        corp = sandbox.store.get(CORP, "", corpid) or {}
        names = {s["userid"]: s.get("name", s["userid"]) for s in corp.get("staff", [])}
        for follow in contact.get("follow_user", []):
            userid = follow["userid"]
            out.append({"corpid": corpid, "userid": userid, "name": names.get(userid, userid)})
    return out
