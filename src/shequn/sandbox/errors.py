"""WeChat-shaped errors: HTTP 200 with {"errcode", "errmsg": "... rid: <rid>"}.

Handlers raise `ApiError(code)`; the endpoint wrapper turns it into the JSON WeChat sends. The
default texts are WeChat's English errmsg strings where known, so clients that log errmsg see
what they would see in production.
"""

from __future__ import annotations

import secrets
from typing import Any

ERRMSG: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40004: "invalid media type",
    40005: "invalid file type",
    40006: "invalid meida size",
    40007: "invalid media_id",
    40008: "invalid message type",
    40009: "invalid image size",
    40013: "invalid appid",
    40014: "invalid access_token",
    40015: "invalid menu type",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40022: "invalid sub button level",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40029: "invalid code",
    40030: "invalid refresh_token",
    40032: "invalid openid list size",
    40033: "invalid charset. please check your request, if include \\uxxxx will create fail!",
    40035: "invalid args",
    40036: "invalid template_id size",
    40037: "invalid template_id",
    40053: "invalid action info",
    40117: "invalid group name",
    40125: "invalid appsecret",
    40163: "code been used",
    40164: "invalid ip, not in whitelist",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41005: "media data missing",
    41006: "media_id missing",
    41008: "missing code",
    41009: "missing openid",
    42001: "access_token expired",
    42002: "refresh_token expired",
    42003: "code expired",
    43002: "require POST method",
    43004: "require subscribe",
    43019: "require remove blacklist",
    44002: "empty post data",
    44003: "empty news data",
    44004: "empty content",
    45002: "content size out of limit",
    45003: "title size out of limit",
    45004: "description size out of limit",
    45005: "url size out of limit",
    45008: "article size out of limit",
    45009: "reach max api daily quota limit",
    45010: "create menu limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    45015: "response out of time limit or subscription is canceled",
    45028: "has no masssend quota",
    45047: "out of response count limit",
    45056: "too many tags",
    45057: "can't delete the tag that has too many fans",
    45058: "can't modify sys tag",
    45059: "too many tag now, no need to add new",
    45065: "clientmsgid exist",
    45066: "same clientmsgid retry too fast",
    45067: "clientmsgid size out of limit",
    45083: "the speed out of range",
    45084: "no speed",
    45157: "invalid tag name",
    45158: "tag name too long",
    45159: "invalid tag id",
    46001: "media data no exist",
    46003: "menu no exist",
    46004: "user no exist",
    47001: "data format error",
    47003: "argument invalid!",
    48001: "api unauthorized",
    48005: "forbid to delete material used by auto-reply or menu",
    48006: "forbid to clear quota because of reaching the limit",
    49003: "not match openid with appid",
    50005: "user unsubscribed",
    53503: "draft not pass check",
    61500: "date format error",
    61501: "date range error",
    65301: "no such conditional menu",
    65302: "no such user",
    65303: "there is no selfmenu, please create selfmenu first",
    65304: "match rule empty",
    65305: "menu count limit",
    65320: "invalid matchrule, not allow sex, country, province, city and language",
    76001: "rid not found",
    76002: "rid is error",
    76003: "cgi_path not found, please check",
}


def new_rid() -> str:
    return "-".join(secrets.token_hex(4) for _ in range(3))


class ApiError(Exception):
    """An error answer from a sandboxed WeChat API; `extra` fields join the JSON body."""

    def __init__(self, errcode: int, errmsg: str | None = None, **extra: Any) -> None:
        self.errcode = errcode
        self.errmsg = errmsg if errmsg is not None else ERRMSG.get(errcode, "error")
        self.extra = extra
        super().__init__(f"{errcode} {self.errmsg}")

    def body(self, rid: str | None = None) -> dict[str, Any]:
        return error_body(self.errcode, self.errmsg, rid=rid, **self.extra)


def error_body(
    errcode: int, errmsg: str | None = None, *, rid: str | None = None, **extra: Any
) -> dict[str, Any]:
    text = errmsg if errmsg is not None else ERRMSG.get(errcode, "error")
    return {"errcode": errcode, "errmsg": f"{text} rid: {rid or new_rid()}", **extra}
