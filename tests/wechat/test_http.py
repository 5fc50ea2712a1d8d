"""The shared HTTP core: request shapes, decoding, typed errors, retries, token refresh."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from shequn.wechat.endpoints import Platform
from shequn.wechat.errors import (
    MalformedResponse,
    PermanentError,
    QuotaExhausted,
    Retryable,
    TokenInvalid,
    TransportError,
)
from shequn.wechat.exceptions import ConfigurationError
from shequn.wechat.http import APICore, MediaFile, RetryPolicy

FIXTURES = Path(__file__).parent / "fixtures" / "api"

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


Reply = dict[str, Any] | httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def fixture(path: str) -> dict[str, Any]:
    """The stored answer for an API path, e.g. /cgi-bin/user/info → cgi-bin_user_info.json."""
    name = path.strip("/").replace("/", "_") + ".json"
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


class FakeWeChat:
    """Answers like WeChat at the HTTP edge and records every request it saw.

    Scripted replies for a path are used in order (the last one repeats); paths without a
    script answer with their JSON fixture; anything else is a 404.
    """

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._scripts: dict[str, list[Reply]] = {}

    def on(self, path: str, *replies: Reply) -> None:
        self._scripts[path] = list(replies)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        script = self._scripts.get(path)
        if script:
            reply = script.pop(0) if len(script) > 1 else script[0]
            if isinstance(reply, Exception):
                raise reply
            if isinstance(reply, httpx.Response):
                return reply
            if callable(reply):
                return reply(request)
            return httpx.Response(200, json=reply)
        name = path.strip("/").replace("/", "_") + ".json"
        if (FIXTURES / name).exists():
            return httpx.Response(200, json=fixture(path))
        return httpx.Response(404, text="not found")

    def calls(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]

    def bodies(self, path: str) -> list[Any]:
        return [json.loads(r.content) for r in self.calls(path)]


class FixedToken:
    """A token source handing out TOKEN-1, then TOKEN-2 ... after each invalidation."""

    def __init__(self) -> None:
        self.generation = 1
        self.invalidated: list[str] = []

    async def get_token(self) -> str:
        return f"TOKEN-{self.generation}"

    async def invalidate(self, bad_token: str) -> None:
        self.invalidated.append(bad_token)
        self.generation += 1


def make_core(
    fake: FakeWeChat, *, attempts: int = 3, platform: Platform = Platform.OFFICIAL_ACCOUNT
) -> tuple[APICore, FixedToken, list[float]]:
    tokens = FixedToken()
    sleeps: list[float] = []

    async def record_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    core = APICore(
        platform,
        base_url="https://sandbox.example/",
        token_source=tokens,
        retry=RetryPolicy(attempts=attempts, base_delay=0.5, max_delay=2.0),
        transport=fake.transport,
        sleep=record_sleep,
    )
    return core, tokens, sleeps


async def test_post_sends_raw_utf8_json_with_the_token_in_the_query() -> None:
    fake = FakeWeChat()
    fake.on("/cgi-bin/tags/create", {"tag": {"id": 1, "name": "广东"}})
    core, _, _ = make_core(fake)
    await core.post("/cgi-bin/tags/create", {"tag": {"name": "广东"}})
    (request,) = fake.requests
    assert str(request.url).startswith("https://sandbox.example/cgi-bin/tags/create?")
    assert request.url.params["access_token"] == "TOKEN-1"
    assert "广东".encode() in request.content
    assert b"\\u" not in request.content
    assert request.headers["content-type"].startswith("application/json")


async def test_text_plain_json_is_decoded_and_its_errcode_raised() -> None:
    fake = FakeWeChat()
    body = '{"errcode":48001,"errmsg":"api unauthorized rid: 6650a1b2-4f1e2d3c-1a2b3c4d"}'
    fake.on(
        "/cgi-bin/menu/get", httpx.Response(200, text=body, headers={"content-type": "text/plain"})
    )
    core, _, _ = make_core(fake)
    with pytest.raises(PermanentError) as caught:
        await core.get("/cgi-bin/menu/get")
    assert caught.value.errcode == 48001
    assert caught.value.rid == "6650a1b2-4f1e2d3c-1a2b3c4d"
    assert caught.value.path == "/cgi-bin/menu/get"
    assert len(fake.requests) == 1


async def test_rejected_token_is_invalidated_and_the_call_retried_once() -> None:
    fake = FakeWeChat()
    fake.on("/cgi-bin/user/get", {"errcode": 40001, "errmsg": "invalid credential"}, {"total": 0})
    core, tokens, _ = make_core(fake)
    assert await core.get("/cgi-bin/user/get") == {"total": 0}
    assert tokens.invalidated == ["TOKEN-1"]
    assert [r.url.params["access_token"] for r in fake.requests] == ["TOKEN-1", "TOKEN-2"]


async def test_a_second_token_rejection_is_raised_not_looped() -> None:
    fake = FakeWeChat()
    fake.on("/cgi-bin/user/get", {"errcode": 42001, "errmsg": "access_token expired"})
    core, tokens, _ = make_core(fake)
    with pytest.raises(TokenInvalid):
        await core.get("/cgi-bin/user/get")
    assert len(fake.requests) == 2
    assert tokens.invalidated == ["TOKEN-1"]


async def test_system_busy_is_retried_a_bounded_number_of_times_with_backoff() -> None:
    fake = FakeWeChat()
    fake.on("/cgi-bin/user/get", {"errcode": -1, "errmsg": "system error"})
    core, _, sleeps = make_core(fake, attempts=4)
    with pytest.raises(Retryable) as caught:
        await core.get("/cgi-bin/user/get")
    assert caught.value.errcode == -1
    assert len(fake.requests) == 4
    assert len(sleeps) == 3
    assert all(0 <= s <= ceiling for s, ceiling in zip(sleeps, [0.5, 1.0, 2.0], strict=True))


async def test_a_transient_failure_followed_by_success_returns_the_success() -> None:
    fake = FakeWeChat()
    fake.on(
        "/cgi-bin/user/get",
        {"errcode": 45011, "errmsg": "api minute-quota reach limit"},
        httpx.Response(502, text="bad gateway"),
        {"total": 7},
    )
    core, _, sleeps = make_core(fake, attempts=3)
    assert await core.get("/cgi-bin/user/get") == {"total": 7}
    assert len(fake.requests) == 3
    assert len(sleeps) == 2


async def test_network_errors_and_5xx_become_transport_errors() -> None:
    fake = FakeWeChat()
    fake.on("/a", httpx.ConnectError("refused"))
    fake.on("/b", httpx.Response(503))
    fake.on("/c", httpx.ReadTimeout("slow"))
    core, _, _ = make_core(fake, attempts=2)
    for path in ("/a", "/b", "/c"):
        with pytest.raises(TransportError) as caught:
            await core.get(path)
        assert caught.value.errcode is None
    assert caught.value.status_code is None
    assert len(fake.requests) == 6


async def test_quota_and_permanent_errors_are_not_retried() -> None:
    fake = FakeWeChat()
    fake.on("/q", {"errcode": 45009, "errmsg": "reach max api daily quota limit"})
    fake.on("/p", {"errcode": 40013, "errmsg": "invalid appid"})
    fake.on("/h", httpx.Response(404, text="nope"))
    core, _, sleeps = make_core(fake)
    with pytest.raises(QuotaExhausted):
        await core.get("/q")
    with pytest.raises(PermanentError):
        await core.get("/p")
    with pytest.raises(PermanentError):
        await core.get("/h")
    assert len(fake.requests) == 3
    assert sleeps == []


async def test_html_instead_of_json_is_a_malformed_response() -> None:
    fake = FakeWeChat()
    fake.on(
        "/x",
        httpx.Response(200, text="<html>gateway</html>", headers={"content-type": "text/html"}),
    )
    core, _, _ = make_core(fake)
    with pytest.raises(MalformedResponse):
        await core.get("/x")


async def test_file_endpoints_return_bytes_or_raise_the_json_error() -> None:
    fake = FakeWeChat()
    jpeg = b"\xff\xd8\xff\xe0binary"
    fake.on(
        "/cgi-bin/media/get",
        httpx.Response(
            200,
            content=jpeg,
            headers={
                "content-type": "image/jpeg",
                "content-disposition": 'attachment; filename="a.jpg"',
            },
        ),
        httpx.Response(
            200,
            text='{"errcode":40007,"errmsg":"invalid media_id"}',
            headers={"content-type": "text/plain"},
        ),
    )
    core, _, _ = make_core(fake)
    result = await core.request(
        "GET", "/cgi-bin/media/get", params={"media_id": "m"}, accept_file=True
    )
    assert result == MediaFile(jpeg, "image/jpeg", "a.jpg")
    with pytest.raises(PermanentError) as caught:
        await core.request("GET", "/cgi-bin/media/get", params={"media_id": "m"}, accept_file=True)
    assert caught.value.errcode == 40007


async def test_token_fetch_errors_are_permanent_even_for_token_codes() -> None:
    fake = FakeWeChat()
    fake.on("/cgi-bin/stable_token", {"errcode": 40001, "errmsg": "invalid credential"})
    core, tokens, _ = make_core(fake)
    with pytest.raises(PermanentError) as caught:
        await core.post("/cgi-bin/stable_token", {}, auth=False)
    assert not isinstance(caught.value, TokenInvalid)
    assert tokens.invalidated == []
    assert "access_token" not in fake.requests[0].url.params


async def test_calls_needing_a_token_without_a_source_are_a_configuration_error() -> None:
    core = APICore(Platform.WECOM, transport=FakeWeChat().transport)
    assert core.base_url == "https://qyapi.weixin.qq.com"
    with pytest.raises(ConfigurationError):
        await core.get("/cgi-bin/externalcontact/list")
