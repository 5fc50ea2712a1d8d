"""Constants and the fake Pay platform the tests share."""

from __future__ import annotations

import json
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.wechat.exceptions import InvalidSignature
from shequn.wechat.pay.certificates import build_certificates_body
from shequn.wechat.pay.signing import verify_request
from shequn.wechat.pay.verification import sign_response_headers

NOW = 1_735_000_000  # 2024-12-24, fixed so timestamp checks are deterministic
API_V3_KEY = "0123456789abcdefABCDEF0123456789"
PUB_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000"
MCHID = "1900009191"
MERCHANT_SERIAL = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"


def fixed_now() -> float:
    return float(NOW)


class FakePay:
    """Plays api.mch.weixin.qq.com behind httpx.MockTransport: checks our Authorization,
    keeps bills by out_bill_no (idempotently), and signs its answers with a platform key.

    `faults` is a queue of (status, code) answers served before normal handling; `mode` makes
    answers unsigned, forged (signed by a stranger), or labelled with an unknown serial.
    """

    def __init__(
        self,
        *,
        merchant_public_key: rsa.RSAPublicKey,
        platform_key: rsa.RSAPrivateKey,
        platform_serial: str,
        stranger_key: rsa.RSAPrivateKey | None = None,
        certificates: list[x509.Certificate] | None = None,
    ) -> None:
        self.merchant_public_key = merchant_public_key
        self.platform_key = platform_key
        self.platform_serial = platform_serial
        self.stranger_key = stranger_key
        self.certificates = certificates or []
        self.mode = "signed"
        self.faults: list[tuple[int, str]] = []
        self.requests: list[httpx.Request] = []
        self.bills: dict[str, dict[str, Any]] = {}
        self.timeouts = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.timeouts:
            self.timeouts -= 1
            raise httpx.ReadTimeout("simulated timeout", request=request)
        try:
            verify_request(
                request.headers["Authorization"],
                method=request.method,
                canonical_url=request.url.raw_path.decode(),
                body=request.content,
                merchant_public_key=self.merchant_public_key,
                now=fixed_now,
            )
        except (InvalidSignature, KeyError):
            return self._answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        if self.faults:
            status, code = self.faults.pop(0)
            return self._answer(status, {"code": code, "message": f"simulated {code}"})
        return self._route(request)

    def _route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        base = "/v3/fund-app/mch-transfer/transfer-bills"
        if request.method == "GET" and path == "/v3/certificates":
            return self._raw(200, build_certificates_body(self.certificates, API_V3_KEY))
        if request.method == "POST" and path == base:
            return self._create(json.loads(request.content))
        if request.method == "GET" and path.startswith(base + "/out-bill-no/"):
            bill = self.bills.get(path.rsplit("/", 1)[1])
            return self._answer(200, bill) if bill else self._not_found()
        if request.method == "GET" and path.startswith(base + "/transfer-bill-no/"):
            wanted = path.rsplit("/", 1)[1]
            found = [b for b in self.bills.values() if b["transfer_bill_no"] == wanted]
            return self._answer(200, found[0]) if found else self._not_found()
        if request.method == "POST" and path.endswith("/cancel"):
            bill = self.bills.get(path.split("/")[-2])
            if bill is None:
                return self._not_found()
            bill["state"] = "CANCELING"
            keys = ("out_bill_no", "transfer_bill_no", "state", "update_time")
            return self._answer(200, {k: bill[k] for k in keys})
        return self._not_found()

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        number = body["out_bill_no"]
        if number not in self.bills:
            self.bills[number] = {
                "mch_id": MCHID,
                "appid": body["appid"],
                "out_bill_no": number,
                "transfer_bill_no": f"1330000071100999991182020{len(self.bills):015d}",
                "state": "WAIT_USER_CONFIRM",
                "transfer_amount": body["transfer_amount"],
                "transfer_remark": body["transfer_remark"],
                "openid": body["openid"],
                "create_time": "2025-01-01T10:00:00+08:00",
                "update_time": "2025-01-01T10:00:00+08:00",
                "package_info": "affffddafdfafddffda==",
            }
        bill = self.bills[number]
        keys = ("out_bill_no", "transfer_bill_no", "create_time", "state", "package_info")
        return self._answer(200, {k: bill[k] for k in keys})

    def _not_found(self) -> httpx.Response:
        return self._answer(404, {"code": "NOT_FOUND", "message": "记录不存在"})

    def _answer(self, status: int, document: dict[str, Any]) -> httpx.Response:
        return self._raw(status, json.dumps(document, ensure_ascii=False).encode())

    def _raw(self, status: int, body: bytes) -> httpx.Response:
        headers = {"Content-Type": "application/json", "Request-ID": "08F78BB5AF0610"}
        if self.mode != "unsigned":
            key = self.platform_key
            serial = self.platform_serial
            if self.mode == "forged":
                assert self.stranger_key is not None
                key = self.stranger_key
            elif self.mode == "wrong_serial":
                serial = "PUB_KEY_ID_0000000000000000000000000000"
            headers.update(sign_response_headers(key, serial, body, timestamp=NOW))
        return httpx.Response(status, headers=headers, content=body)
