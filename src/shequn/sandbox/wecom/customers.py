"""Staff and customers: get_follow_user_list, list, get, batch/get_by_user, remark (B.1, B.3)."""

from __future__ import annotations

from typing import Any

from shequn.sandbox.endpoints import Area, Call, ok
from shequn.sandbox.state import Doc
from shequn.sandbox.wecom import contacts, tags
from shequn.sandbox.wecom.corps import contact_staff, staff_member
from shequn.sandbox.wecom.errors import wecom_error
from shequn.sandbox.wecom.tokens import wecom_access_token
from shequn.sandbox.wecom.validation import chars, page, str_list

area = Area("wecom_customers", authenticate=wecom_access_token)
FOLLOW_PAGE = 500


def _staff_with_contact(corp: Doc, userid: Any) -> str:
    if not userid:
        raise wecom_error(41009)
    member = staff_member(corp, str(userid))
    if member is None:
        raise wecom_error(60111, str(userid))
    if not member.get("customer_contact"):
        raise wecom_error(84074, str(userid))
    return str(userid)


@area.api("/cgi-bin/externalcontact/get_follow_user_list", methods=("GET",))
async def follow_user_list(call: Call) -> dict[str, Any]:
    return ok(follow_user=contact_staff(call.acct))


@area.api("/cgi-bin/externalcontact/list", methods=("GET",))
async def list_customers(call: Call) -> dict[str, Any]:
    userid = _staff_with_contact(call.acct, call.query.get("userid"))
    found = contacts.customers_of(call.sandbox, call.acct["corpid"], userid)
    return ok(external_userid=[c["external_userid"] for c in found])


@area.api("/cgi-bin/externalcontact/get", methods=("GET",))
async def get_customer(call: Call) -> dict[str, Any]:
    corp = call.acct
    external_id = call.query.get("external_userid")
    if not external_id:
        raise wecom_error(41035)
    contact = contacts.get_contact(call.sandbox, corp["corpid"], external_id)
    if contact is None:
        raise wecom_error(40096)
    if not contact["follow_user"]:
        raise wecom_error(84061)
    names = tags.tag_names(call.sandbox, corp["corpid"])
    follows = [contacts.follow_view(f, names) for f in contact["follow_user"]]
    chunk, next_cursor = page(follows, call.query.get("cursor"), FOLLOW_PAGE)
    answer = ok(
        external_contact=contacts.external_contact_view(
            contact, show_unionid=bool(corp.get("open_platform"))
        ),
        follow_user=chunk,
    )
    if next_cursor:
        answer["next_cursor"] = next_cursor
    return answer


@area.api("/cgi-bin/externalcontact/batch/get_by_user")
async def batch_get_by_user(call: Call) -> dict[str, Any]:
    corp = call.acct
    body = call.json()
    userids = str_list("userid_list", body.get("userid_list"), 100)
    if not userids:
        raise wecom_error(41009)
    for userid in userids:
        _staff_with_contact(corp, userid)
    limit = body.get("limit", 50)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
        raise wecom_error(40058, "limit must be within 1..100")
    names = tags.tag_names(call.sandbox, corp["corpid"])
    show = bool(corp.get("open_platform"))
    rows = []
    for userid in userids:
        for contact in contacts.customers_of(call.sandbox, corp["corpid"], userid):
            follow = contacts.relation(contact, userid) or {}
            info = contacts.follow_view(follow, names)
            info["tag_id"] = [t["tag_id"] for t in info.pop("tags")]
            rows.append(
                {
                    "external_contact": contacts.external_contact_view(contact, show_unionid=show),
                    "follow_info": info,
                }
            )
    chunk, next_cursor = page(rows, body.get("cursor"), limit)
    return ok(external_contact_list=chunk, next_cursor=next_cursor)


@area.api("/cgi-bin/externalcontact/remark")
async def remark(call: Call) -> dict[str, Any]:
    corp = call.acct
    body = call.json()
    userid = _staff_with_contact(corp, body.get("userid"))
    external_id = body.get("external_userid")
    if not external_id:
        raise wecom_error(41035)
    fields = ("remark", "description", "remark_company", "remark_mobiles", "remark_pic_mediaid")
    if all(body.get(f) is None for f in fields):
        raise wecom_error(40058, "nothing to change")
    chars("remark", body.get("remark"), 20)
    chars("description", body.get("description"), 150)
    chars("remark_company", body.get("remark_company"), 20)
    mobiles = str_list("remark_mobiles", body.get("remark_mobiles"), 5)
    store = call.sandbox.store
    with store.transaction():
        contact = contacts.get_contact(call.sandbox, corp["corpid"], str(external_id))
        follow = None if contact is None else contacts.relation(contact, userid)
        if contact is None or follow is None:
            raise wecom_error(84061)
        for name in ("remark", "description"):
            if body.get(name) is not None:
                follow[name] = body[name]
        if body.get("remark_company") is not None:
            follow["remark_corp_name"] = body["remark_company"]
        if body.get("remark_mobiles") is not None:
            follow["remark_mobiles"] = [m for m in mobiles if m]
        contacts.save_contact(call.sandbox, corp["corpid"], contact)
    return ok()
