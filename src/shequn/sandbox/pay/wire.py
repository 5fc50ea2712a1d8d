"""Pay v3 on the wire: JSON answers signed with the platform key (Wechatpay-* headers) and
errors as {"code", "message"} with a meaningful HTTP status; merchant request authentication.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shequn.sandbox.context import Sandbox
from shequn.sandbox.pay.merchants import get_merchant, platform_key
from shequn.sandbox.state import Doc
from shequn.wechat.exceptions import InvalidSignature
from shequn.wechat.pay.keys import load_public_key
from shequn.wechat.pay.signing import parse_authorization, verify_request
from shequn.wechat.pay.verification import sign_response_headers


class PayApiError(Exception):
    def __init__(self, status: int, code: str, message: str, merchant: Doc | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        # Known merchant: Pay signs even its refusals, so clients can trust the error.
        self.merchant = merchant


def bad_param(message: str) -> PayApiError:
    return PayApiError(400, "PARAM_ERROR", message)


def invalid(message: str) -> PayApiError:
    return PayApiError(400, "INVALID_REQUEST", message)


def not_found() -> PayApiError:
    return PayApiError(404, "NOT_FOUND", "记录不存在")


@dataclass
class PayCall:
    request: Request
    sandbox: Sandbox
    merchant: Doc
    body: bytes

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body)
        except ValueError as exc:
            raise bad_param("请求体不是合法的JSON") from exc
        if not isinstance(data, dict):
            raise bad_param("请求体不是合法的JSON")
        return data


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signed(sandbox: Sandbox, merchant: Doc | None, status: int, body: bytes) -> Response:
    headers = {"Content-Type": "application/json"}
    if merchant is not None:
        headers.update(
            sign_response_headers(
                platform_key(merchant),
                merchant["platform_serial"],
                body,
                timestamp=int(sandbox.wall_now()),  # transport stamp
            )
        )
    return Response(body, status_code=status, headers=headers)


def _authenticate(sandbox: Sandbox, request: Request, body: bytes) -> Doc:
    header = request.headers.get("Authorization")
    if not header:
        raise PayApiError(401, "SIGN_ERROR", "HTTP头缺少微信支付签名")
    try:
        parsed = parse_authorization(header)
    except InvalidSignature as exc:
        raise PayApiError(401, "SIGN_ERROR", "Authorization格式不正确") from exc
    merchant = get_merchant(sandbox, parsed.mchid)
    if merchant is None:
        raise PayApiError(401, "SIGN_ERROR", "商户号不存在或签名错误")
    if parsed.serial_no.upper() != str(merchant["merchant_serial"]).upper():
        raise PayApiError(401, "SIGN_ERROR", "商户证书序列号有误", merchant)
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    canonical = raw_path.decode("ascii") + (f"?{query.decode('ascii')}" if query else "")
    try:
        verify_request(
            header,
            method=request.method,
            canonical_url=canonical,
            body=body,
            merchant_public_key=load_public_key(merchant["merchant_public_key"]),
            now=sandbox.wall_now,  # the ±5 min window is against the real time
        )
    except InvalidSignature as exc:
        raise PayApiError(401, "SIGN_ERROR", "签名错误，请检查后再试", merchant) from exc
    return merchant


Handler = Callable[[PayCall], Awaitable[dict[str, Any]]]


def pay_route(path: str, method: str, handler: Handler) -> Route:
    """An endpoint that authenticates the merchant and signs whatever it answers."""

    async def endpoint(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        body = await request.body()
        merchant: Doc | None = None
        try:
            merchant = _authenticate(sandbox, request, body)
            result = await handler(PayCall(request, sandbox, merchant, body))
        except PayApiError as err:
            document = {"code": err.code, "message": err.message}
            return signed(sandbox, merchant or err.merchant, err.status, _dumps(document))
        return signed(sandbox, merchant, 200, _dumps(result))

    endpoint.__name__ = handler.__name__
    return Route(path, endpoint, methods=[method])
