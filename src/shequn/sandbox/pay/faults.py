"""Injected API failures on /v3 paths answer the way Pay fails: {"code", "message"} with an HTTP
status (500 SYSTEM_ERROR unless told otherwise), not WeChat's errcode JSON.

`setup()` swaps the sandbox's Faults for this subclass before the app wires its middleware; the
rules themselves stay in the state DB, so nothing else changes.
"""

from __future__ import annotations

import json
from typing import Any

from shequn.sandbox.faults import Faults

PAY_PREFIX = "/v3/"
_BY_STATUS = {
    400: ("PARAM_ERROR", "参数错误"),
    401: ("SIGN_ERROR", "签名错误"),
    403: ("NO_AUTH", "商户无权限"),
    404: ("NOT_FOUND", "记录不存在"),
    429: ("FREQUENCY_LIMITED", "频率超限"),
    500: ("SYSTEM_ERROR", "系统错误"),
}


class PayAwareFaults(Faults):
    def take_api_fault(self, path: str) -> dict[str, Any] | None:
        rule = super().take_api_fault(path)
        if rule is None or not path.startswith(PAY_PREFIX) or rule.get("body") is not None:
            return rule
        status = int(rule.get("http_status") or 200)
        if status == 200:
            status = 500
        code, message = _BY_STATUS.get(status, ("SYSTEM_ERROR", "系统错误"))
        errmsg = rule.get("errmsg")
        if errmsg and str(errmsg).replace("_", "").isalpha() and str(errmsg).isupper():
            code = str(errmsg)  # a Pay code such as NOT_ENOUGH given as errmsg
        elif errmsg:
            message = str(errmsg)
        body = json.dumps({"code": code, "message": message}, ensure_ascii=False)
        return {**rule, "http_status": status, "body": body}
