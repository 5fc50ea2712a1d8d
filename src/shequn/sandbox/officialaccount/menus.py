"""Custom menus and conditional menus (reference §6.1).

Limits: 1–3 top-level buttons, 1–5 sub-buttons, names ≤16 bytes (top) / ≤60 bytes (sub), keys
≤128 bytes, URLs ≤1024 bytes, one level of nesting, links to ≤3 external domains.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from shequn.sandbox.endpoints import Area, Call, Needs, ok
from shequn.sandbox.errors import ApiError
from shequn.sandbox.officialaccount.followers import known_customer
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS
from shequn.sandbox.officialaccount.tokens import oa_access_token
from shequn.sandbox.state import Doc

MENU = "menu"
MAX_TOP, MAX_SUB = 3, 5
TOP_NAME_BYTES, SUB_NAME_BYTES = 16, 60
KEY_BYTES, URL_BYTES = 128, 1024
MAX_DOMAINS = 3
KEY_TYPES = {
    "click",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
}
TYPES = KEY_TYPES | {
    "view",
    "media_id",
    "view_limited",
    "article_id",
    "article_view_limited",
    "miniprogram",
}
FORBIDDEN_RULES = ("sex", "country", "province", "city", "language")

area = Area("menus", authenticate=oa_access_token, quotas=DAILY_QUOTAS)


def _nbytes(value: Any) -> int:
    return len(str(value).encode("utf-8"))


def _check_button(button: Any, *, sub: bool, domains: set[str]) -> None:
    # Sub-button errors are the top-level code + 7 (40018 → 40025 ...), as in WeChat's table.
    shift = 7 if sub else 0
    if not isinstance(button, dict):
        raise ApiError(40024 if sub else 40017)
    name = button.get("name")
    if not name or _nbytes(name) > (SUB_NAME_BYTES if sub else TOP_NAME_BYTES):
        raise ApiError(40018 + shift)
    children = button.get("sub_button")
    if children:
        if sub:
            raise ApiError(40022)
        if not isinstance(children, list) or len(children) > MAX_SUB:
            raise ApiError(40023)
        for child in children:
            _check_button(child, sub=True, domains=domains)
        return
    kind = button.get("type")
    if kind not in TYPES:
        raise ApiError(40024 if sub else 40017)
    if kind in KEY_TYPES:
        key = button.get("key")
        if not key or _nbytes(key) > KEY_BYTES:
            raise ApiError(40019 + shift)
    if kind in ("view", "miniprogram"):
        url = button.get("url")
        if not url or _nbytes(url) > URL_BYTES or not str(url).startswith(("http://", "https://")):
            raise ApiError(40020 + shift)
        domains.add(urlsplit(str(url)).hostname or "")
    if kind in ("media_id", "view_limited") and not button.get("media_id"):
        raise ApiError(40007)
    if kind in ("article_id", "article_view_limited") and not button.get("article_id"):
        raise ApiError(40007)
    if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
        raise ApiError(45064)


def _check_buttons(buttons: Any, domains: set[str]) -> list[Any]:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_TOP:
        raise ApiError(40016)
    for button in buttons:
        _check_button(button, sub=False, domains=domains)
    return buttons


def _menus(call: Call) -> tuple[Doc | None, list[Doc]]:
    store = call.sandbox.store
    default = store.get(MENU, call.appid, "default")
    conditional = [m for m in store.list(MENU, call.appid, newest_first=True) if m.get("matchrule")]
    return default, conditional


def _all_domains(menus: list[Doc]) -> set[str]:
    domains: set[str] = set()
    for menu in menus:
        _check_buttons(menu["button"], domains)
    return domains


@area.api("/cgi-bin/menu/create", needs=Needs.SERVICE_OR_VERIFIED)
async def create(call: Call) -> dict[str, Any]:
    domains: set[str] = set()
    buttons = _check_buttons(call.json().get("button"), domains)
    _, conditional = _menus(call)
    if len(domains | _all_domains(conditional)) > MAX_DOMAINS:
        raise ApiError(65316)
    menuid = call.sandbox.store.sequence("menuid", 400_000_000)
    call.sandbox.store.put(MENU, call.appid, "default", {"button": buttons, "menuid": menuid})
    return ok()


@area.api("/cgi-bin/menu/get", methods=("GET",), needs=Needs.SERVICE_OR_VERIFIED)
async def get(call: Call) -> dict[str, Any]:
    default, conditional = _menus(call)
    if default is None:
        raise ApiError(46003)
    answer: dict[str, Any] = {"menu": {"button": default["button"], "menuid": default["menuid"]}}
    if conditional:
        answer["conditionalmenu"] = [
            {"button": m["button"], "matchrule": m["matchrule"], "menuid": m["menuid"]}
            for m in conditional
        ]
    return answer


@area.api("/cgi-bin/get_current_selfmenu_info", methods=("GET",))
async def current_selfmenu(call: Call) -> dict[str, Any]:
    default, _ = _menus(call)
    if default is None:
        return {"is_menu_open": 0}
    return {"is_menu_open": 1, "selfmenu_info": {"button": default["button"]}}


@area.api("/cgi-bin/menu/delete", methods=("GET",), needs=Needs.SERVICE_OR_VERIFIED)
async def delete(call: Call) -> dict[str, Any]:
    call.sandbox.store.delete_all(MENU, call.appid)  # conditional menus go with the default one
    return ok()


@area.api("/cgi-bin/menu/addconditional", needs=Needs.VERIFIED)
async def add_conditional(call: Call) -> dict[str, Any]:
    body = call.json()
    default, conditional = _menus(call)
    if default is None:
        raise ApiError(65303)
    rule = body.get("matchrule")
    if not isinstance(rule, dict) or not any(str(v).strip() for v in rule.values()):
        raise ApiError(65304)
    if any(rule.get(k) not in (None, "") for k in FORBIDDEN_RULES):
        raise ApiError(65320)
    if rule.get("tag_id") not in (None, ""):
        from shequn.sandbox.officialaccount.tags import get_tag

        get_tag(call, rule["tag_id"])
    if rule.get("client_platform_type") not in (None, "", "1", "2", "3", 1, 2, 3):
        raise ApiError(40035, "invalid args: client_platform_type")
    domains: set[str] = set()
    buttons = _check_buttons(body.get("button"), domains)
    if len(domains | _all_domains([default, *conditional])) > MAX_DOMAINS:
        raise ApiError(65316)
    menuid = call.sandbox.store.sequence("menuid", 400_000_000)
    clean_rule = {k: str(v) for k, v in rule.items() if v not in (None, "")}
    call.sandbox.store.put(
        MENU,
        call.appid,
        str(menuid),
        {"button": buttons, "matchrule": clean_rule, "menuid": menuid},
    )
    return {"menuid": str(menuid)}


@area.api("/cgi-bin/menu/delconditional", needs=Needs.VERIFIED)
async def del_conditional(call: Call) -> dict[str, Any]:
    menuid = str(call.json().get("menuid", ""))
    doc = call.sandbox.store.get(MENU, call.appid, menuid)
    if doc is None or not doc.get("matchrule"):
        raise ApiError(65301)
    call.sandbox.store.delete(MENU, call.appid, menuid)
    return ok()


def matching_menu(call: Call, customer: Doc) -> Doc | None:
    """Newest conditional menu whose rule fits the customer, else the default menu."""
    default, conditional = _menus(call)
    platform = {"ios": "1", "android": "2"}.get(customer.get("platform", ""), "3")
    for menu in conditional:
        rule = menu["matchrule"]
        if "tag_id" in rule and int(rule["tag_id"]) not in customer.get("tagid_list", []):
            continue
        if "client_platform_type" in rule and rule["client_platform_type"] != platform:
            continue
        return menu
    return default


@area.api("/cgi-bin/menu/trymatch", needs=Needs.VERIFIED)
async def try_match(call: Call) -> dict[str, Any]:
    user_id = call.json().get("user_id")
    try:
        customer = known_customer(call.sandbox, call.appid, user_id)
    except ApiError as err:
        raise ApiError(65302) from err
    menu = matching_menu(call, customer)
    if menu is None:
        raise ApiError(46003)
    return {"button": menu["button"], "menuid": menu["menuid"]}
