"""POST/GET /v3/fund-app/mch-transfer/transfer-bills... and GET /v3/certificates (E.1, E.4).

Create validates per E.1 (400 PARAM_ERROR / INVALID_REQUEST), is idempotent per out_bill_no
(same fields → the same bill; different fields → 400 INVALID_REQUEST "单号已存在但信息不一致"),
checks the available balance (403 NOT_ENOUGH) and answers WAIT_USER_CONFIRM with package_info.
Queries cover 30 days (404 NOT_FOUND otherwise). Cancel works before the user confirms.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from starlette.routing import BaseRoute

from shequn.sandbox.pay import bills
from shequn.sandbox.pay.merchants import platform_key, require_merchant
from shequn.sandbox.pay.wire import PayApiError, PayCall, bad_param, invalid, not_found, pay_route
from shequn.sandbox.state import Doc
from shequn.wechat.exceptions import WeChatError
from shequn.wechat.pay.certificates import build_certificates_body
from shequn.wechat.pay.keys import load_certificate
from shequn.wechat.pay.sensitive import decrypt_sensitive
from shequn.wechat.pay.transfer import TRANSFER_BILLS_PATH

_OUT_BILL_NO = re.compile(r"[0-9A-Za-z]{1,32}")
CASH_MARKETING = "1000"
CASH_MARKETING_MIN_FEN = 10
REAL_NAME_FEN = 200_000
PERCEPTIONS = ("现金奖励", "活动奖励")
REPORT_TYPES = ("活动名称", "奖励说明")


def _text(body: dict[str, Any], name: str, limit: int) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise bad_param(f"输入源“/body/{name}”映射到字段“{name}”必填性规则校验失败")
    if len(value) > limit:
        raise bad_param(f"{name}长度超过{limit}")
    return value


def _validate(call: PayCall, body: dict[str, Any]) -> dict[str, Any]:
    merchant = call.merchant
    out_bill_no = body.get("out_bill_no")
    if not isinstance(out_bill_no, str) or not _OUT_BILL_NO.fullmatch(out_bill_no):
        raise bad_param("out_bill_no只能由数字和字母组成，长度不超过32")
    appid = _text(body, "appid", 32)
    if merchant.get("appids") and appid not in merchant["appids"]:
        raise invalid("appid和mch_id不匹配，请检查后再试")
    scene = _text(body, "transfer_scene_id", 36)
    if merchant.get("scenes") and scene not in merchant["scenes"]:
        raise PayApiError(403, "NO_AUTH", "商户未开通此转账场景")
    _text(body, "openid", 64)
    _text(body, "transfer_remark", 32)
    amount = body.get("transfer_amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise bad_param("transfer_amount必须为正整数（单位：分）")
    if scene == CASH_MARKETING and amount < CASH_MARKETING_MIN_FEN:
        raise invalid("超过单笔转账上下限：现金营销场景单笔金额不能低于0.1元")
    _user_name(call, body, amount)
    url = body.get("notify_url")
    if url is not None:
        parts = urlsplit(str(url))
        if parts.scheme != "https" or not parts.netloc or parts.query:
            raise bad_param("notify_url必须为https地址且不能携带参数")
    perception = body.get("user_recv_perception")
    if perception is not None and scene == CASH_MARKETING and perception not in PERCEPTIONS:
        raise invalid("暂不支持展示当前传入的用户收款感知")
    infos = body.get("transfer_scene_report_infos")
    if not isinstance(infos, list) or not infos:
        raise bad_param("需传入转账场景报备信息，请检查")
    for info in infos:
        if not isinstance(info, dict):
            raise bad_param("需传入转账场景报备信息，请检查")
        _text(info, "info_type", 15)
        _text(info, "info_content", 32)
    if scene == CASH_MARKETING and sorted(i["info_type"] for i in infos) != sorted(REPORT_TYPES):
        raise bad_param("需传入转账场景报备信息，请检查")
    return body


def _user_name(call: PayCall, body: dict[str, Any], amount: int) -> None:
    encrypted = body.get("user_name")
    if encrypted is None:
        if amount >= REAL_NAME_FEN:
            raise bad_param("转账金额大于等于2000元时，收款用户姓名必填")
        return
    serial = call.request.headers.get("Wechatpay-Serial", "")
    if serial.upper() != str(call.merchant["platform_serial"]).upper():
        raise bad_param("Wechatpay-Serial与加密使用的平台公钥不一致")
    try:
        decrypt_sensitive(platform_key(call.merchant), str(encrypted))
    except WeChatError as exc:
        raise bad_param("user_name解密失败，请使用微信支付公钥加密") from exc


def _same(bill: Doc, body: dict[str, Any]) -> bool:
    return all(bill.get(k) == body.get(k) for k in bills.IDENTITY)


async def create_bill(call: PayCall) -> dict[str, Any]:
    body = _validate(call, call.json())
    sandbox = call.sandbox
    mchid = call.merchant["mchid"]
    with sandbox.store.transaction():
        existing = bills.get_bill(sandbox, mchid, body["out_bill_no"])
        if existing is not None:
            if not _same(existing, body):
                raise invalid("单号已存在但信息不一致，请查单后比较确认")
            return bills.created_view(bills.settle(sandbox, existing))
        merchant = require_merchant(sandbox, mchid)
        available = merchant["balance_fen"] - merchant["reserved_fen"]
        if available < body["transfer_amount"]:
            raise PayApiError(403, "NOT_ENOUGH", "商户运营账户资金不足")
        bill = bills.new_bill(sandbox, merchant, body, body.get("notify_url"))
    return bills.created_view(bill)


def _recent(call: PayCall, bill: Doc | None) -> Doc:
    if bill is None or call.sandbox.now() - bill["created_at"] > bills.QUERY_WINDOW_SECONDS:
        raise not_found()
    return bills.settle(call.sandbox, bill)


async def get_by_out_bill_no(call: PayCall) -> dict[str, Any]:
    number = call.request.path_params["out_bill_no"]
    bill = bills.get_bill(call.sandbox, call.merchant["mchid"], number)
    return bills.detail_view(_recent(call, bill))


async def get_by_transfer_bill_no(call: PayCall) -> dict[str, Any]:
    number = call.request.path_params["transfer_bill_no"]
    bill = bills.find_by_transfer_no(call.sandbox, call.merchant["mchid"], number)
    return bills.detail_view(_recent(call, bill))


async def cancel_bill(call: PayCall) -> dict[str, Any]:
    number = call.request.path_params["out_bill_no"]
    with call.sandbox.store.transaction():
        bill = _recent(call, bills.get_bill(call.sandbox, call.merchant["mchid"], number))
        if bill["state"] not in ("WAIT_USER_CONFIRM", "ACCEPTED", "PROCESSING", "CANCELING"):
            raise invalid(f"当前单据状态为{bill['state']}，不支持撤销")
        if bill["state"] != "CANCELING":
            bill = bills.request_cancel(call.sandbox, bill)
    keys = ("out_bill_no", "transfer_bill_no", "state", "update_time")
    return {k: bill[k] for k in keys}


async def certificates(call: PayCall) -> dict[str, Any]:
    pem = call.merchant.get("platform_certificate")
    if not pem:
        return {"data": []}
    body = build_certificates_body([load_certificate(pem)], call.merchant["api_v3_key"])
    return dict(json.loads(body))


def routes() -> list[BaseRoute]:
    base = TRANSFER_BILLS_PATH
    return [
        pay_route(base, "POST", create_bill),
        pay_route(base + "/out-bill-no/{out_bill_no}/cancel", "POST", cancel_bill),
        pay_route(base + "/out-bill-no/{out_bill_no}", "GET", get_by_out_bill_no),
        pay_route(base + "/transfer-bill-no/{transfer_bill_no}", "GET", get_by_transfer_bill_no),
        pay_route("/v3/certificates", "GET", certificates),
    ]
