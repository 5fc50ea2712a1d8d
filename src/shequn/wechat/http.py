"""The one async HTTP core every platform client sits on, and a blocking facade over it.

Responsibilities: base URL per platform (the sandbox differs only there), timeouts, bounded
retries with exponential backoff and full jitter for `Retryable` failures only, JSON decoding
whatever the Content-Type says, files returned as bytes, errcode != 0 turned into the typed
exception of `shequn.wechat.errors`, and the access token injected from a `TokenSource` with
exactly one refresh-and-retry when the platform rejects it.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import random
import re
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ParamSpec, Protocol, Self, TypeVar

import httpx

from shequn.wechat.endpoints import Platform
from shequn.wechat.errors import (
    MalformedResponse,
    PermanentError,
    Retryable,
    TokenInvalid,
    TransportError,
    error_from_response,
)
from shequn.wechat.exceptions import ConfigurationError

JSONDict = dict[str, Any]
FileField = tuple[str, bytes, str]

P = ParamSpec("P")
T = TypeVar("T")

_JSON_TYPES = frozenset({"application/json", "text/json", "text/plain", "text/javascript"})
_FILENAME = re.compile(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', re.IGNORECASE)


class TokenSource(Protocol):
    """Where the core gets the access token from (see `shequn.wechat.token.TokenProvider`)."""

    async def get_token(self) -> str: ...

    async def invalidate(self, bad_token: str) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently `Retryable` failures are retried."""

    attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 4.0

    def backoff(self, failures: int) -> float:
        """Full jitter: spreads simultaneous retries of many workers over the window."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (failures - 1)))
        return random.uniform(0, ceiling)


@dataclass(frozen=True)
class MediaFile:
    """A file an API returned (media/get, get_material, showqrcode)."""

    content: bytes
    content_type: str
    filename: str | None = None


class APICore:
    """Sends requests to one platform's API; shared by all API areas of a client."""

    def __init__(
        self,
        platform: Platform,
        *,
        base_url: str | None = None,
        token_source: TokenSource | None = None,
        timeout: float | httpx.Timeout = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.platform = platform
        self.base_url = (base_url or platform.default_base_url).rstrip("/")
        self.token_source = token_source
        self.retry = retry if retry is not None else RetryPolicy()
        self._sleep = sleep
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, auth: bool = True
    ) -> JSONDict:
        result = await self.request("GET", path, params=params, auth=auth)
        return _expect_json(result, path)

    async def post(
        self,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        auth: bool = True,
    ) -> JSONDict:
        result = await self.request(
            "POST", path, params=params, json_body=body if body is not None else {}, auth=auth
        )
        return _expect_json(result, path)

    async def upload(
        self,
        path: str,
        files: Mapping[str, FileField],
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> JSONDict:
        result = await self.request("POST", path, params=params, files=files, data=data)
        return _expect_json(result, path)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        files: Mapping[str, FileField] | None = None,
        data: Mapping[str, str] | None = None,
        auth: bool = True,
        accept_file: bool = False,
        base_url: str | None = None,
    ) -> JSONDict | MediaFile:
        """Send with token injection, one refresh on `TokenInvalid` and bounded retries."""
        if auth and self.token_source is None:
            raise ConfigurationError(f"{path} needs an access token but no token source is set")
        failures = 0
        refreshed = False
        while True:
            query = {k: v for k, v in (params or {}).items() if v is not None}
            token = ""
            if auth:
                assert self.token_source is not None  # noqa: S101 - narrowed above
                token = await self.token_source.get_token()
                query["access_token"] = token
            try:
                return await self._send_once(
                    method,
                    path,
                    query=query,
                    json_body=json_body,
                    files=files,
                    data=data,
                    accept_file=accept_file,
                    base_url=base_url,
                )
            except TokenInvalid:
                if not auth or refreshed or self.token_source is None:
                    raise
                refreshed = True
                await self.token_source.invalidate(token)
            except Retryable:
                failures += 1
                if failures >= self.retry.attempts:
                    raise
                await self._sleep(self.retry.backoff(failures))

    async def _send_once(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any],
        json_body: Mapping[str, Any] | None,
        files: Mapping[str, FileField] | None,
        data: Mapping[str, str] | None,
        accept_file: bool,
        base_url: str | None,
    ) -> JSONDict | MediaFile:
        url = (base_url or self.base_url).rstrip("/") + path
        headers: dict[str, str] = {}
        content: bytes | None = None
        if json_body is not None:
            # WeChat rejects \uXXXX escapes (40033), so non-ASCII must go out as raw UTF-8.
            content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            response = await self._client.request(
                method,
                url,
                params=dict(query),
                content=content,
                files=dict(files) if files else None,
                data=dict(data) if data else None,
                headers=headers,
            )
        except httpx.TimeoutException as exc:
            raise TransportError(f"timed out: {type(exc).__name__}", path=path) from exc
        except httpx.TransportError as exc:
            raise TransportError(f"network error: {type(exc).__name__}", path=path) from exc
        status = response.status_code
        if status >= 500 or status == 429:
            raise TransportError(f"HTTP {status}", path=path, status_code=status)
        if status >= 400:
            raise PermanentError(None, f"HTTP {status}", path=path)
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = response.content
        if accept_file and not _looks_like_json(content_type, body):
            return MediaFile(body, content_type or "application/octet-stream", _filename(response))
        payload = _decode(body, path)
        errcode = payload.get("errcode", 0)
        if not isinstance(errcode, int):
            try:
                errcode = int(errcode)
            except (TypeError, ValueError):
                raise MalformedResponse(
                    None, f"non-integer errcode {errcode!r}", path=path
                ) from None
        if errcode != 0:
            raise error_from_response(
                errcode,
                str(payload.get("errmsg", "")),
                platform=self.platform,
                path=path,
                payload=payload,
            )
        return payload


def _looks_like_json(content_type: str, body: bytes) -> bool:
    if content_type in _JSON_TYPES:
        return True
    return not content_type and body.lstrip()[:1] == b"{"


def _decode(body: bytes, path: str) -> JSONDict:
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MalformedResponse(None, f"not JSON: {body[:60]!r}", path=path) from None
    if not isinstance(payload, dict):
        raise MalformedResponse(None, f"JSON is not an object: {body[:60]!r}", path=path)
    return payload


def _filename(response: httpx.Response) -> str | None:
    found = _FILENAME.search(response.headers.get("content-disposition", ""))
    return found.group(1) if found else None


def _expect_json(result: JSONDict | MediaFile, path: str) -> JSONDict:
    if isinstance(result, MediaFile):
        raise MalformedResponse(None, f"expected JSON, got {result.content_type}", path=path)
    return result


class APIArea:
    """One area of a platform's API (menus, tags, ...); all areas of a client share a core."""

    def __init__(self, core: APICore) -> None:
        self._core = core


class BackgroundLoop:
    """A private event loop on a daemon thread, so synchronous code can await the core.

    Everything a client owns (HTTP connections, the token lock) is bound to this one loop.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="shequn-wechat-loop", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        loop = self._ensure()
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("a synchronous WeChat call was made from inside its own loop")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        loop.close()


class SyncProxy:
    """Blocking view of an async client: coroutine methods block, API areas are proxied too.

    `proxy.users.info("o...")` is untyped convenience; `proxy.call(client.users.info, "o...")`
    keeps the static types.
    """

    def __init__(self, target: object, runner: BackgroundLoop) -> None:
        self._target = target
        self._runner = runner

    def call(self, fn: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        async def invoke() -> T:
            return await fn(*args, **kwargs)

        return self._runner.run(invoke())

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if isinstance(attr, APIArea):
            return SyncProxy(attr, self._runner)
        if inspect.iscoroutinefunction(attr):
            method: Callable[..., Coroutine[Any, Any, Any]] = attr

            def blocking(*args: Any, **kwargs: Any) -> Any:
                return self._runner.run(method(*args, **kwargs))

            blocking.__name__ = name
            blocking.__doc__ = attr.__doc__
            return blocking
        return attr


class SyncClient(SyncProxy):
    """A blocking client that owns its async client (`aio`) and the loop it runs on."""

    def __init__(self, aio: Any) -> None:
        self.aio = aio
        self._loop = BackgroundLoop()
        super().__init__(aio, self._loop)

    def close(self) -> None:
        try:
            self._loop.run(self.aio.aclose())
        finally:
            self._loop.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
