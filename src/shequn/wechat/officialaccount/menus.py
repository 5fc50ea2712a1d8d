"""Custom menus, conditional menus and the menu actually in effect."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shequn.wechat.errors import InvalidRequest
from shequn.wechat.errors.validation import check_bytes, check_count
from shequn.wechat.http import APIArea, JSONDict

# Since 2021 these matchrule fields are rejected (65320) and no longer match anyone.
_PRIVACY_RULES = frozenset({"sex", "country", "province", "city", "language"})


def check_buttons(buttons: Sequence[Mapping[str, Any]]) -> None:
    """1-3 top-level buttons, each with a name ≤16 bytes and 1-5 sub-buttons ≤60 bytes."""
    check_count("button", buttons, 3, minimum=1)
    for i, button in enumerate(buttons):
        check_bytes(f"button[{i}].name", button.get("name"), 16)
        subs = button.get("sub_button")
        if subs is not None:
            check_count(f"button[{i}].sub_button", subs, 5, minimum=1)
            for j, sub in enumerate(subs):
                check_bytes(f"button[{i}].sub_button[{j}].name", sub.get("name"), 60)
                check_bytes(f"button[{i}].sub_button[{j}].key", sub.get("key"), 128)
                check_bytes(f"button[{i}].sub_button[{j}].url", sub.get("url"), 1024)
        check_bytes(f"button[{i}].key", button.get("key"), 128)
        check_bytes(f"button[{i}].url", button.get("url"), 1024)


class MenusAPI(APIArea):
    async def create(self, buttons: Sequence[Mapping[str, Any]]) -> JSONDict:
        """Replace the default menu.

        https://developers.weixin.qq.com/doc/service/api/custommenu/api_createcustommenu
        """
        check_buttons(buttons)
        return await self._core.post("/cgi-bin/menu/create", {"button": list(buttons)})

    async def get(self) -> JSONDict:
        """Default and conditional menus set through the API.

        https://developers.weixin.qq.com/doc/offiaccount/Custom_Menus/Querying_Custom_Menus.html
        """
        return await self._core.get("/cgi-bin/menu/get")

    async def delete(self) -> JSONDict:
        """Delete the default menu and, with it, every conditional menu.

        https://developers.weixin.qq.com/doc/offiaccount/Custom_Menus/Deleting_Custom-Defined_Menu.html
        """
        return await self._core.get("/cgi-bin/menu/delete")

    async def add_conditional(
        self, buttons: Sequence[Mapping[str, Any]], matchrule: Mapping[str, str]
    ) -> str:
        """Add a conditional menu (match by tag_id / client_platform_type); returns menuid.

        https://developers.weixin.qq.com/doc/service/api/custommenu/api_addconditionalmenu
        """
        check_buttons(buttons)
        if not any(matchrule.values()):
            raise InvalidRequest("matchrule", "needs at least one non-empty field")
        banned = _PRIVACY_RULES.intersection(k for k, v in matchrule.items() if v)
        if banned:
            raise InvalidRequest("matchrule", f"fields no longer allowed: {sorted(banned)}")
        body = {"button": list(buttons), "matchrule": dict(matchrule)}
        data = await self._core.post("/cgi-bin/menu/addconditional", body)
        return str(data["menuid"])

    async def delete_conditional(self, menuid: str) -> JSONDict:
        """https://developers.weixin.qq.com/doc/service/en/Custom_Menus/Personalized_menu_interface.html"""
        return await self._core.post("/cgi-bin/menu/delconditional", {"menuid": menuid})

    async def try_match(self, user_id: str) -> JSONDict:
        """The menu a user (OpenID or WeChat ID) would see.

        https://developers.weixin.qq.com/doc/service/en/Custom_Menus/Personalized_menu_interface.html
        """
        return await self._core.post("/cgi-bin/menu/trymatch", {"user_id": user_id})

    async def current_selfmenu_info(self) -> JSONDict:
        """The menu in effect, including one set in the web console.

        https://developers.weixin.qq.com/doc/offiaccount/Custom_Menus/Getting_Custom_Menu_Configurations.html
        """
        return await self._core.get("/cgi-bin/get_current_selfmenu_info")
