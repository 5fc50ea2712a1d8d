"""Sending one stored outbound message through the customer-service API, and saying clearly
why WeChat refused it."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequn.wechat.errors import APIError

CS_ERRORS: dict[int, Promise] = {
    45015: gettext_lazy(
        "The 48-hour window is closed: the customer has not written since, or has unfollowed."
    ),
    45047: gettext_lazy("The messages allowed for this customer's last interaction are used up."),
    43004: gettext_lazy("The customer no longer follows the account."),
    43019: gettext_lazy("The customer has been blocked."),
    48002: gettext_lazy("The customer has turned off messages from this account."),
    40003: gettext_lazy("WeChat does not know this customer's OpenID."),
    40007: gettext_lazy(
        "The image or media ID is not valid (temporary media expire after 3 days)."
    ),
    45008: gettext_lazy("Only one article may be sent in a customer-service message."),
    45064: gettext_lazy("The mini program is not linked to this official account."),
    48001: gettext_lazy(
        "This account may not send customer-service messages (verification needed)."
    ),
}


def error_text(exc: APIError) -> str:
    code = exc.errcode
    known = CS_ERRORS.get(code) if code is not None else None
    if known is not None:
        return _("%(message)s (WeChat error %(code)s)") % {"message": known, "code": code}
    if code is None:
        return _("WeChat could not be reached: %(error)s") % {"error": exc.errmsg[:200]}
    return _("WeChat refused the message: %(errmsg)s (error %(code)s)") % {
        "errmsg": exc.errmsg[:200],
        "code": code,
    }


def send(
    client: Any, openid: str, kind: str, text: str, media_id: str, data: dict[str, Any]
) -> None:
    """One customer-service message of `kind`; raises APIError as WeChat answers."""
    custom = client.custom
    if kind == "text":
        custom.text(openid, text)
    elif kind == "image":
        custom.image(openid, media_id)
    elif kind == "news":
        first = (data.get("articles") or [{}])[0]
        custom.news(
            openid,
            title=first.get("title", ""),
            description=first.get("description", ""),
            url=first.get("url", ""),
            picurl=first.get("pic_url", ""),
        )
    elif kind == "miniprogram":
        custom.mini_program_page(
            openid,
            title=data.get("title", ""),
            appid=data.get("appid", ""),
            pagepath=data.get("pagepath", ""),
            thumb_media_id=data.get("thumb_media_id", ""),
        )
    else:
        raise ValueError(f"cannot send a {kind} message")
