"""OAuth2 web authorisation (reference §6.12): the authorize page, code exchange (codes are single
use and expire after 5 minutes), refresh tokens (30 days), userinfo and auth check.

The page needs to know who is "inside WeChat": pass `sandbox_openid=<openid>` (the phone page
does), otherwise it lists the account's customers to pick from. snsapi_userinfo asks for consent.
"""

from __future__ import annotations

import hmac
import html
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from shequn.sandbox import ids
from shequn.sandbox.accounts import FOLLOWER, get_account, get_customer
from shequn.sandbox.endpoints import Area, Call, Needs, ok, permitted
from shequn.sandbox.errors import ApiError
from shequn.sandbox.state import Doc

CODE = "oauth_code"
SNS_TOKEN = "sns_token"  # noqa: S105 - a document kind
SNS_REFRESH = "sns_refresh"
CODE_LIFETIME = 300
TOKEN_LIFETIME = 7200
REFRESH_LIFETIME = 30 * 24 * 3600
SCOPES = ("snsapi_base", "snsapi_userinfo")

area = Area("oauth")


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='zh'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
    )


async def authorize(request: Request) -> Response:
    sandbox = request.app.state.sandbox
    q = request.query_params
    account = get_account(sandbox, q.get("appid", ""))
    if account is None:
        return _page("参数错误", "<p>appid invalid (40013)</p>", 400)
    scope = q.get("scope", "")
    if scope not in SCOPES or q.get("response_type") != "code":
        return _page("参数错误", "<p>scope or response_type invalid</p>", 400)
    if not permitted(account, Needs.VERIFIED_SERVICE):
        return _page("Scope 参数错误或没有 Scope 权限", "<p>errcode 10005</p>", 403)
    redirect_uri = q.get("redirect_uri", "")
    if not redirect_uri.startswith(("http://", "https://")):
        return _page("redirect_uri 参数错误", "<p>errcode 10003</p>", 400)
    state = q.get("state", "")
    openid = q.get("sandbox_openid")
    if not openid:
        links = []
        for customer in sandbox.store.list(FOLLOWER, account["appid"]):
            href = request.url.include_query_params(sandbox_openid=customer["openid"])
            links.append(
                f"<li><a href='{html.escape(str(href))}'>"
                f"{html.escape(customer['nickname'])} ({customer['openid']})</a></li>"
            )
        return _page("选择微信用户", "<ul>" + "".join(links) + "</ul>")
    customer = get_customer(sandbox, account["appid"], openid)
    if customer is None:
        return _page("用户不存在", "<p>unknown sandbox_openid</p>", 404)
    if scope == "snsapi_userinfo" and q.get("consent") != "1":
        allow = request.url.include_query_params(consent="1")
        return _page(
            f"{account['name']} 申请获得你的昵称、头像",
            f"<p>{html.escape(customer['nickname'])}</p><a id='allow' href='"
            f"{html.escape(str(allow))}'>允许</a>",
        )
    code = ids.oauth_code()
    sandbox.store.put(
        CODE,
        "",
        code,
        {
            "appid": account["appid"],
            "openid": openid,
            "scope": scope,
            "expires_at": sandbox.deadline_now() + CODE_LIFETIME,
            "used": False,
        },
    )
    parts = urlsplit(redirect_uri)
    query = parts.query + ("&" if parts.query else "") + urlencode({"code": code, "state": state})
    return RedirectResponse(urlunsplit(parts._replace(query=query, fragment="")), status_code=302)


area.route("/connect/oauth2/authorize", authorize, methods=("GET",))


def _app(call: Call, *, with_secret: bool) -> Doc:
    appid = call.query.get("appid")
    if not appid:
        raise ApiError(41002)
    account = get_account(call.sandbox, appid)
    if account is None:
        raise ApiError(40013)
    if with_secret:
        secret = call.query.get("secret", "")
        if not secret:
            raise ApiError(41004)
        if not hmac.compare_digest(secret.encode(), str(account["secret"]).encode()):
            raise ApiError(40125)
    return account


def _issue(call: Call, appid: str, openid: str, scope: str, refresh: str | None = None) -> Doc:
    now = call.deadline_now()  # code and token lifetimes are protocol deadlines
    store = call.sandbox.store
    token = ids.access_token()
    store.put(
        SNS_TOKEN,
        "",
        token,
        {"appid": appid, "openid": openid, "scope": scope, "expires_at": now + TOKEN_LIFETIME},
    )
    if refresh is None:
        refresh = ids.access_token()
        store.put(
            SNS_REFRESH,
            "",
            refresh,
            {
                "appid": appid,
                "openid": openid,
                "scope": scope,
                "expires_at": now + REFRESH_LIFETIME,
            },
        )
    answer: dict[str, Any] = {
        "access_token": token,
        "expires_in": TOKEN_LIFETIME,
        "refresh_token": refresh,
        "openid": openid,
        "scope": scope,
    }
    customer = get_customer(call.sandbox, appid, openid) or {}
    if scope == "snsapi_userinfo" and customer.get("unionid"):
        answer["unionid"] = customer["unionid"]
    return answer


@area.api("/sns/oauth2/access_token", methods=("GET",), auth=False)
async def access_token(call: Call) -> dict[str, Any]:
    account = _app(call, with_secret=True)
    if call.query.get("grant_type") != "authorization_code":
        raise ApiError(40002)
    code = call.query.get("code")
    if not code:
        raise ApiError(41008)
    store = call.sandbox.store
    doc = store.get(CODE, "", code)
    if doc is None or doc["appid"] != account["appid"]:
        raise ApiError(40029)
    if doc["used"]:
        raise ApiError(40163)
    if call.deadline_now() >= doc["expires_at"]:
        raise ApiError(42003)
    doc["used"] = True
    store.put(CODE, "", code, doc)
    return _issue(call, account["appid"], doc["openid"], doc["scope"])


@area.api("/sns/oauth2/refresh_token", methods=("GET",), auth=False)
async def refresh(call: Call) -> dict[str, Any]:
    account = _app(call, with_secret=False)
    if call.query.get("grant_type") != "refresh_token":
        raise ApiError(40002)
    token = call.query.get("refresh_token", "")
    doc = call.sandbox.store.get(SNS_REFRESH, "", token)
    if doc is None or doc["appid"] != account["appid"]:
        raise ApiError(40030)
    if call.deadline_now() >= doc["expires_at"]:
        raise ApiError(42002)
    return _issue(call, account["appid"], doc["openid"], doc["scope"], refresh=token)


def _user_token(call: Call) -> Doc:
    token = call.query.get("access_token")
    if not token:
        raise ApiError(41001)
    doc = call.sandbox.store.get(SNS_TOKEN, "", token)
    if doc is None:
        raise ApiError(40001)
    if call.deadline_now() >= doc["expires_at"]:
        raise ApiError(42001)
    if call.query.get("openid") != doc["openid"]:
        raise ApiError(40003)
    return doc


@area.api("/sns/userinfo", methods=("GET",), auth=False)
async def userinfo(call: Call) -> dict[str, Any]:
    doc = _user_token(call)
    if doc["scope"] != "snsapi_userinfo":
        raise ApiError(48001)
    customer = get_customer(call.sandbox, doc["appid"], doc["openid"]) or {}
    answer: dict[str, Any] = {
        "openid": doc["openid"],
        "nickname": customer.get("nickname", ""),
        "sex": 0,
        "province": "",
        "city": "",
        "country": "",
        "headimgurl": customer.get("headimgurl", ""),
        "privilege": [],
    }
    if customer.get("unionid"):
        answer["unionid"] = customer["unionid"]
    return answer


@area.api("/sns/auth", methods=("GET",), auth=False)
async def auth_check(call: Call) -> dict[str, Any]:
    _user_token(call)
    return ok()
