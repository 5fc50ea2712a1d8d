"""WeCom-shaped errors: errcode plus WeCom's errmsg style (meaning, hint, devtool link)."""

from __future__ import annotations

from shequn.sandbox.errors import ApiError
from shequn.wechat.errors import WeComErrorCode

# Codes the sandbox answers that WeComErrorCode does not list.
_EXTRA = {
    40050: "chatid not found",
    40058: "invalid parameter",
    40068: "invalid tagid",
}


def wecom_error(errcode: int, hint: str = "") -> ApiError:
    """An ApiError whose errmsg reads like WeCom's (the rid is appended when rendered)."""
    try:
        meaning = WeComErrorCode(errcode).meaning
    except ValueError:
        meaning = _EXTRA.get(errcode, "error")
    text = f"{meaning}, hint: [{hint}]" if hint else meaning
    return ApiError(
        errcode, f"{text}, more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}"
    )
