"""The async HTTP core of Pay v3: sign every request, verify every response, retry safely.

Retries resend the identical body bytes (fresh timestamp, nonce and signature only), so a retried
create carries the same out_bill_no and Pay treats it as the same bill. Only `PayRetryable`
failures are retried; a response that fails verification is never retried and never trusted.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa

from shequn.wechat.pay.errors import (
    MalformedPayResponse,
    PayAPIError,
    PayRetryable,
    PayTransportError,
    classify_pay_error,
)
from shequn.wechat.pay.keys import PlatformKeys, load_private_key
from shequn.wechat.pay.signing import build_authorization
from shequn.wechat.pay.verification import (
    HEADER_REQUEST_ID,
    HEADER_SERIAL,
    HEADER_SIGNATURE,
    ResponseVerifier,
)

DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com"
BACKUP_BASE_URL = "https://api2.mch.weixin.qq.com"
USER_AGENT = "shequn-wechatpay/0.1"
MAX_RESPONSE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class PayResponse:
    """A response that passed signature verification (unless fetched with verify=False)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    data: dict[str, Any]

    @property
    def request_id(self) -> str:
        return self.headers.get(HEADER_REQUEST_ID, "")


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise MalformedPayResponse("Pay's answer is not JSON") from exc
    if not isinstance(value, dict):
        raise MalformedPayResponse("Pay's answer is not a JSON object")
    return value


class PayClient:
    """Signs requests as merchant `mchid` and verifies answers with `platform_keys`.

    `merchant_serial_no` is the serial of the merchant API certificate (apiclient_cert.pem) whose
    private key is `merchant_private_key`. Point `base_url` at a sandbox to test without money.
    """

    def __init__(
        self,
        *,
        mchid: str,
        merchant_serial_no: str,
        merchant_private_key: rsa.RSAPrivateKey | bytes | str,
        platform_keys: PlatformKeys,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        max_attempts: int = 3,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        max_clock_skew: int = 300,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not isinstance(merchant_private_key, rsa.RSAPrivateKey):
            merchant_private_key = load_private_key(merchant_private_key)
        self.mchid = mchid
        self.merchant_serial_no = merchant_serial_no
        self.platform_keys = platform_keys
        self.base_url = base_url.rstrip("/")
        self.verifier = ResponseVerifier(platform_keys, max_skew=max_clock_skew, now=now)
        self._private_key = merchant_private_key
        self._transport = transport
        self._timeout = timeout
        self._max_attempts = max(1, max_attempts)
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._now = now
        self._sleep = sleep
        self._http: httpx.AsyncClient | None = None

    @property
    def merchant_private_key(self) -> rsa.RSAPrivateKey:
        return self._private_key

    def _client(self) -> httpx.AsyncClient:
        # Created lazily so it binds to the event loop that first uses it (see SyncTransferClient).
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self.base_url, transport=self._transport, timeout=self._timeout
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> PayClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        verify: bool = True,
    ) -> PayResponse:
        """Send, verify, classify; retry `PayRetryable` failures up to `max_attempts` in total.

        `verify=False` exists only for bootstrapping platform certificates; the caller must then
        verify the answer itself.
        """
        body = b""
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
        attempt = 1
        while True:
            try:
                return await self._attempt(method, path, body, headers or {}, verify=verify)
            except PayRetryable:
                if attempt >= self._max_attempts:
                    raise
            await self._sleep(self._backoff(attempt))
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self._backoff_max, self._backoff_base * 2.0 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    async def _attempt(
        self,
        method: str,
        path: str,
        body: bytes,
        extra_headers: Mapping[str, str],
        *,
        verify: bool,
    ) -> PayResponse:
        client = self._client()
        request = client.build_request(
            method,
            path,
            content=body,
            headers={
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                **extra_headers,
            },
        )
        # Sign what goes on the wire: the encoded path and query httpx will send.
        canonical_url = request.url.raw_path.decode("ascii")
        request.headers["Authorization"] = build_authorization(
            self._private_key,
            mchid=self.mchid,
            serial_no=self.merchant_serial_no,
            method=method,
            canonical_url=canonical_url,
            body=body,
            timestamp=int(self._now()),
        )
        try:
            response = await client.send(request)
            raw = await response.aread()
        except httpx.TimeoutException as exc:
            raise PayTransportError(f"timeout: {exc}", status=0, path=path) from exc
        except httpx.HTTPError as exc:
            raise PayTransportError(f"network error: {exc}", status=0, path=path) from exc
        if len(raw) > MAX_RESPONSE_BYTES:
            raise MalformedPayResponse(f"Pay's answer to {path} is larger than expected")
        resp_headers = dict(response.headers.items())
        if 200 <= response.status_code < 300:
            if verify:
                self.verifier.verify(response.headers, raw)
            return PayResponse(response.status_code, resp_headers, raw, _json_object(raw))
        raise self._error(response, raw, path)

    def _error(self, response: httpx.Response, raw: bytes, path: str) -> PayAPIError:
        status = response.status_code
        signed = HEADER_SIGNATURE in response.headers and HEADER_SERIAL in response.headers
        verified = False
        if signed:
            # A signed error that fails verification is tampering, not an answer.
            self.verifier.verify(response.headers, raw)
            verified = True
        try:
            data = _json_object(raw)
        except MalformedPayResponse:
            data = {}
        code = data.get("code") if isinstance(data.get("code"), str) else ""
        message = data.get("message") if isinstance(data.get("message"), str) else ""
        request_id = response.headers.get(HEADER_REQUEST_ID, "")
        if not code and status >= 500:
            return PayTransportError(
                message or f"HTTP {status} without a Pay error body",
                status=status,
                request_id=request_id,
                path=path,
            )
        cls = classify_pay_error(status, str(code))
        return cls(
            str(message) or f"HTTP {status}",
            status=status,
            code=str(code),
            request_id=request_id,
            path=path,
            detail=data.get("detail"),
            verified=verified,
        )
