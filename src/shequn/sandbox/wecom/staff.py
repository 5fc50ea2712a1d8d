"""Members (通讯录): user/get, so a product can show staff names (B.1 lists only userids).

https://developer.work.weixin.qq.com/document/path/90196 — 41009 missing userid, 60111 unknown.
"""

from __future__ import annotations

from typing import Any

from shequn.sandbox.endpoints import Area, Call, ok
from shequn.sandbox.wecom.corps import staff_member
from shequn.sandbox.wecom.errors import wecom_error
from shequn.sandbox.wecom.tokens import wecom_access_token

area = Area("wecom_staff", authenticate=wecom_access_token)


@area.api("/cgi-bin/user/get", methods=("GET",))
async def get_user(call: Call) -> dict[str, Any]:
    userid = call.query.get("userid")
    if not userid:
        raise wecom_error(41009)
    member = staff_member(call.acct, str(userid))
    if member is None:
        raise wecom_error(60111, str(userid))
    return ok(
        userid=member["userid"],
        name=member["name"],
        department=[1],
        position="",
        status=1,
        enable=1,
    )
