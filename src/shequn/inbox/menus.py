"""Custom menus: WeChat's limits checked before any call, and a clear message per error code.

Limits (reference §6.1): 1–3 top-level buttons, 1–5 sub-buttons each, names ≤16 bytes (top) and
≤60 bytes (sub), keys ≤128 bytes, URLs ≤1024 bytes; a button has either a type or sub-buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_TOP, MAX_SUB = 3, 5
TOP_NAME_BYTES, SUB_NAME_BYTES, KEY_BYTES, URL_BYTES = 16, 60, 128, 1024

KEY_TYPES = frozenset(
    {
        "click",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
    }
)
BUTTON_TYPES: dict[str, Promise] = {
    "click": gettext_lazy("Click (sends a key)"),
    "view": gettext_lazy("Open a web page"),
    "miniprogram": gettext_lazy("Open a mini program"),
    "scancode_push": gettext_lazy("Scan a code"),
    "scancode_waitmsg": gettext_lazy("Scan a code and wait for a message"),
    "pic_sysphoto": gettext_lazy("Take a photo"),
    "pic_photo_or_album": gettext_lazy("Take a photo or choose from the album"),
    "pic_weixin": gettext_lazy("Choose from the WeChat album"),
    "location_select": gettext_lazy("Send a location"),
    "media_id": gettext_lazy("Send a material (media_id)"),
    "article_id": gettext_lazy("Open a published article"),
    "article_view_limited": gettext_lazy("Open a published article (limited view)"),
}
# Rules WeChat still honours for conditional menus (the others are refused with 65320).
PLATFORM_TYPES: dict[str, Promise] = {
    "1": gettext_lazy("iOS"),
    "2": gettext_lazy("Android"),
    "3": gettext_lazy("Other"),
}

MENU_ERRORS: dict[int, Promise] = {
    40015: gettext_lazy("WeChat rejected the menu type."),
    40016: gettext_lazy("A menu needs 1 to 3 top-level buttons."),
    40017: gettext_lazy("A top-level button has an invalid type."),
    40018: gettext_lazy("A top-level button name is empty or longer than 16 bytes."),
    40019: gettext_lazy("A top-level button key is empty or longer than 128 bytes."),
    40020: gettext_lazy("A top-level button URL is missing, invalid or longer than 1024 bytes."),
    40021: gettext_lazy("WeChat rejected the menu version."),
    40022: gettext_lazy("Sub-buttons cannot have sub-buttons of their own."),
    40023: gettext_lazy("A top-level button holds 1 to 5 sub-buttons."),
    40024: gettext_lazy("A sub-button has an invalid type."),
    40025: gettext_lazy("A sub-button name is empty or longer than 60 bytes."),
    40026: gettext_lazy("A sub-button key is empty or longer than 128 bytes."),
    40027: gettext_lazy("A sub-button URL is missing, invalid or longer than 1024 bytes."),
    40007: gettext_lazy("A material or article ID in the menu does not exist."),
    40119: gettext_lazy("A button type is not allowed for this account."),
    40120: gettext_lazy("A sub-button type is not allowed for this account."),
    45010: gettext_lazy("Too many menu changes: WeChat's daily limit is reached."),
    45064: gettext_lazy("The mini program is not linked to this official account."),
    48001: gettext_lazy("This account may not use the menu API (it needs verification)."),
    65301: gettext_lazy("The conditional menu no longer exists on WeChat."),
    65302: gettext_lazy("WeChat does not know this user."),
    65303: gettext_lazy("Publish the default menu before adding conditional menus."),
    65304: gettext_lazy("A conditional menu needs a tag or a platform to match."),
    65305: gettext_lazy("The account has reached WeChat's limit of conditional menus."),
    65309: gettext_lazy("Conditional menus are switched off for this account."),
    65316: gettext_lazy("The menus link to too many web domains (at most 3)."),
    65320: gettext_lazy(
        "Matching by gender, region or language is no longer allowed; use a tag or a platform."
    ),
}


def menu_error_message(errcode: int, errmsg: str = "") -> str:
    known = MENU_ERRORS.get(errcode)
    if known is not None:
        return _("%(message)s (WeChat error %(code)s)") % {"message": known, "code": errcode}
    return _("WeChat refused the menu: %(errmsg)s (error %(code)s)") % {
        "errmsg": errmsg or "-",
        "code": errcode,
    }


class MenuInvalid(ValueError):
    """The menu breaks a WeChat limit; `problems` are translated sentences for the operator.

    `fields` maps where each problem is ("0.name", "1.2.url", or "" for the whole menu) to its
    sentences, so an editor can show them next to the field.
    """

    def __init__(self, problems: list[str], fields: dict[str, list[str]] | None = None) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.fields = fields or {"": list(problems)}


class _Problems:
    def __init__(self) -> None:
        self.sentences: list[str] = []
        self.fields: dict[str, list[str]] = {}

    def add(self, path: str, field: str, sentence: str) -> None:
        self.sentences.append(sentence)
        key = f"{path}.{field}" if path and field else path or field
        self.fields.setdefault(key, []).append(sentence)


def nbytes(value: Any) -> int:
    """Length in UTF-8 bytes, as WeChat counts names, keys and URLs (a Chinese character is 3)."""
    return len(str(value or "").encode("utf-8"))


_nbytes = nbytes


def _label(index: int, sub: int | None) -> str:
    if sub is None:
        return _("Button %(n)s") % {"n": index + 1}
    return _("Button %(n)s.%(m)s") % {"n": index + 1, "m": sub + 1}


def _check_action(button: Mapping[str, Any], where: str, path: str, problems: _Problems) -> None:
    kind = button.get("type")
    if kind not in BUTTON_TYPES:
        problems.add(path, "type", _("%(where)s: choose a button type.") % {"where": where})
        return
    if kind in KEY_TYPES:
        key = button.get("key")
        if not key:
            problems.add(path, "key", _("%(where)s: a key is required.") % {"where": where})
        elif _nbytes(key) > KEY_BYTES:
            problems.add(
                path,
                "key",
                _("%(where)s: the key is %(size)s bytes; at most %(limit)s.")
                % {"where": where, "size": _nbytes(key), "limit": KEY_BYTES},
            )
    if kind in ("view", "miniprogram"):
        url = str(button.get("url") or "")
        if not url.startswith(("http://", "https://")):
            problems.add(
                path,
                "url",
                _("%(where)s: a web address starting with https:// is required.")
                % {"where": where},
            )
        elif _nbytes(url) > URL_BYTES:
            problems.add(
                path,
                "url",
                _("%(where)s: the address is %(size)s bytes; at most %(limit)s.")
                % {"where": where, "size": _nbytes(url), "limit": URL_BYTES},
            )
    if kind == "miniprogram" and not button.get("appid"):
        problems.add(
            path,
            "appid",
            _("%(where)s: a mini program needs its AppID and page path.") % {"where": where},
        )
    elif kind == "miniprogram" and not button.get("pagepath"):
        problems.add(
            path,
            "pagepath",
            _("%(where)s: a mini program needs its AppID and page path.") % {"where": where},
        )
    if kind == "media_id" and not button.get("media_id"):
        problems.add(path, "media_id", _("%(where)s: a media ID is required.") % {"where": where})
    if kind in ("article_id", "article_view_limited") and not button.get("article_id"):
        problems.add(
            path, "article_id", _("%(where)s: an article ID is required.") % {"where": where}
        )


def _check_name(
    button: Mapping[str, Any], where: str, path: str, limit: int, problems: _Problems
) -> None:
    name = button.get("name")
    if not name:
        problems.add(path, "name", _("%(where)s: a name is required.") % {"where": where})
    elif _nbytes(name) > limit:
        problems.add(
            path,
            "name",
            _(
                "%(where)s: the name is %(size)s bytes; at most %(limit)s "
                "(about %(chars)s Chinese characters)."
            )
            % {"where": where, "size": _nbytes(name), "limit": limit, "chars": limit // 3},
        )


def validate_buttons(buttons: Any) -> list[dict[str, Any]]:
    """The buttons, cleaned of empty fields; MenuInvalid listing every broken limit."""
    problems = _Problems()
    if not isinstance(buttons, list) or not buttons:
        raise MenuInvalid([_("A menu needs at least one button.")])
    if len(buttons) > MAX_TOP:
        problems.add(
            "",
            "",
            _("A menu has at most %(limit)s top-level buttons; this one has %(count)s.")
            % {"limit": MAX_TOP, "count": len(buttons)},
        )
    for i, button in enumerate(buttons):
        where, path = _label(i, None), str(i)
        if not isinstance(button, dict):
            problems.add(path, "", _("%(where)s is not a button.") % {"where": where})
            continue
        _check_name(button, where, path, TOP_NAME_BYTES, problems)
        subs = button.get("sub_button")
        if subs:
            if not isinstance(subs, list):
                problems.add(
                    path, "", _("%(where)s: sub-buttons must be a list.") % {"where": where}
                )
                continue
            if len(subs) > MAX_SUB:
                problems.add(
                    path,
                    "",
                    _("%(where)s has %(count)s sub-buttons; at most %(limit)s.")
                    % {"where": where, "count": len(subs), "limit": MAX_SUB},
                )
            for j, sub in enumerate(subs):
                sub_where, sub_path = _label(i, j), f"{i}.{j}"
                if not isinstance(sub, dict):
                    problems.add(
                        sub_path, "", _("%(where)s is not a button.") % {"where": sub_where}
                    )
                    continue
                if sub.get("sub_button"):
                    problems.add(
                        sub_path,
                        "",
                        _("%(where)s: sub-buttons cannot have sub-buttons.") % {"where": sub_where},
                    )
                _check_name(sub, sub_where, sub_path, SUB_NAME_BYTES, problems)
                _check_action(sub, sub_where, sub_path, problems)
        else:
            _check_action(button, where, path, problems)
    if problems.sentences:
        raise MenuInvalid(problems.sentences, problems.fields)
    return [_clean(b) for b in buttons]


_FIELDS = ("type", "name", "key", "url", "appid", "pagepath", "media_id", "article_id")


def _clean(button: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: str(button[k]) for k in _FIELDS if button.get(k)}
    if button.get("sub_button"):
        out.pop("type", None)
        out["sub_button"] = [_clean(s) for s in button["sub_button"]]
    return out


def normalised(buttons: Any) -> list[dict[str, Any]]:
    """Buttons as WeChat returns them, reduced to comparable fields (for drift)."""
    if not isinstance(buttons, list):
        return []
    return [_clean(b) for b in buttons if isinstance(b, dict)]
