"""The official-account client against a fake WeChat at the HTTP edge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from shequn.wechat.errors import CHINA_TZ, InvalidRequest, PermanentError
from shequn.wechat.http import MediaFile, RetryPolicy
from shequn.wechat.officialaccount import OfficialAccountClient, SyncOfficialAccountClient
from tests.wechat.test_http import FakeWeChat

pytestmark = pytest.mark.anyio

APPID = "wx0123456789abcdef"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_client(fake: FakeWeChat) -> OfficialAccountClient:
    return OfficialAccountClient(
        APPID,
        "s3cret",
        base_url="https://sandbox.example",
        web_base_url="https://mp.sandbox.example",
        retry=RetryPolicy(attempts=2, base_delay=0.001),
        transport=fake.transport,
    )


async def test_stable_token_is_fetched_once_and_injected_into_calls() -> None:
    fake = FakeWeChat()
    async with make_client(fake) as client:
        info = await client.users.info("o6_bmjrPTlm6_2sgVt7hMZOPfL2M")
        await client.users.info("o6_bmjrPTlm6_2sgVt7hMZOPfL2M")
    assert info["subscribe_scene"] == "ADD_SCENE_QR_CODE"
    assert fake.bodies("/cgi-bin/stable_token") == [
        {
            "grant_type": "client_credential",
            "appid": APPID,
            "secret": "s3cret",
            "force_refresh": False,
        }
    ]
    calls = fake.calls("/cgi-bin/user/info")
    assert [c.url.params["access_token"] for c in calls] == ["OA-STABLE-TOKEN-1"] * 2
    assert calls[0].url.params["lang"] == "zh_CN"


async def test_expired_token_triggers_one_forced_refresh_and_a_retry() -> None:
    fake = FakeWeChat()
    fake.on(
        "/cgi-bin/stable_token",
        {"access_token": "OLD", "expires_in": 7200},
        {"access_token": "NEW", "expires_in": 7200},
    )
    fake.on("/cgi-bin/user/get", {"errcode": 42001, "errmsg": "access_token expired"}, {"total": 0})
    async with make_client(fake) as client:
        page = await client.users.followers()
    assert page.total == 0
    assert [b["force_refresh"] for b in fake.bodies("/cgi-bin/stable_token")] == [False, True]
    used = [c.url.params["access_token"] for c in fake.calls("/cgi-bin/user/get")]
    assert used == ["OLD", "NEW"]


async def test_follower_pages_and_batch_limits() -> None:
    fake = FakeWeChat()
    async with make_client(fake) as client:
        page = await client.users.followers("OPENID0")
        with pytest.raises(InvalidRequest):
            await client.users.batch_info([f"o{i}" for i in range(101)])
        users = await client.users.batch_info(["a", "b"])
        with pytest.raises(InvalidRequest):
            await client.users.block([f"o{i}" for i in range(21)])
    assert page.openids == ["OPENID1", "OPENID2", "OPENID3"]
    assert page.next_openid == "OPENID3"
    assert fake.calls("/cgi-bin/user/get")[0].url.params["next_openid"] == "OPENID0"
    assert len(users) == 2
    assert fake.bodies("/cgi-bin/user/info/batchget") == [
        {"user_list": [{"openid": "a", "lang": "zh_CN"}, {"openid": "b", "lang": "zh_CN"}]}
    ]


async def test_menu_limits_are_checked_before_calling() -> None:
    fake = FakeWeChat()
    fake.on("/cgi-bin/menu/create", {"errcode": 0, "errmsg": "ok"})
    async with make_client(fake) as client:
        with pytest.raises(InvalidRequest) as caught:
            await client.menus.create(
                [{"type": "click", "name": f"b{i}", "key": "k"} for i in range(4)]
            )
        assert caught.value.field == "button"
        with pytest.raises(InvalidRequest):
            await client.menus.create(
                [{"type": "click", "name": "超过十六个字节的名字", "key": "k"}]
            )
        with pytest.raises(InvalidRequest):
            await client.menus.add_conditional(
                [{"type": "click", "name": "a", "key": "k"}], {"sex": "1"}
            )
        await client.menus.create([{"type": "click", "name": "今日歌曲", "key": "V1001"}])
    assert fake.bodies("/cgi-bin/menu/create") == [
        {"button": [{"type": "click", "name": "今日歌曲", "key": "V1001"}]}
    ]


async def test_qr_codes_wrap_the_scene_and_enforce_ranges() -> None:
    fake = FakeWeChat()
    fake.on(
        "/cgi-bin/showqrcode",
        httpx.Response(200, content=b"\xff\xd8jpeg", headers={"content-type": "image/jpg"}),
    )
    async with make_client(fake) as client:
        ticket = await client.qrcodes.create_temporary(123, 604800)
        await client.qrcodes.create_permanent("campaign-a")
        bad: Callable[[], Awaitable[Any]]
        for bad in (
            lambda: client.qrcodes.create_permanent(100_001),
            lambda: client.qrcodes.create_temporary(0, 60),
            lambda: client.qrcodes.create_temporary("x", 2_592_001),
            lambda: client.qrcodes.create_permanent("x" * 65),
        ):
            with pytest.raises(InvalidRequest):
                await bad()
        image = await client.qrcodes.image(ticket.ticket)
    assert ticket.url == "http://weixin.qq.com/q/kZgfwMTm72WWPkovabbI"
    assert fake.bodies("/cgi-bin/qrcode/create") == [
        {
            "action_name": "QR_SCENE",
            "action_info": {"scene": {"scene_id": 123}},
            "expire_seconds": 604800,
        },
        {
            "action_name": "QR_LIMIT_STR_SCENE",
            "action_info": {"scene": {"scene_str": "campaign-a"}},
        },
    ]
    assert image == MediaFile(b"\xff\xd8jpeg", "image/jpg", None)
    (qr_request,) = fake.calls("/cgi-bin/showqrcode")
    assert qr_request.url.host == "mp.sandbox.example"
    assert "access_token" not in qr_request.url.params


async def test_duplicate_clientmsgid_counts_as_the_earlier_send() -> None:
    fake = FakeWeChat()
    fake.on(
        "/cgi-bin/message/mass/sendall",
        {"errcode": 45065, "errmsg": "clientmsgid exist", "msg_id": 1000001},
    )
    async with make_client(fake) as client:
        result = await client.mass.send_to_tag(
            "text", {"content": "hi"}, tag_id=2, clientmsgid="c-1"
        )
        with pytest.raises(InvalidRequest):
            await client.mass.send_to_openids(["only-one"], "text", {"content": "hi"})
        with pytest.raises(InvalidRequest):
            await client.mass.send_to_tag("text", {"content": "hi"}, clientmsgid="x" * 65)
    assert result["msg_id"] == 1000001
    assert fake.bodies("/cgi-bin/message/mass/sendall") == [
        {
            "filter": {"is_to_all": False, "tag_id": 2},
            "msgtype": "text",
            "text": {"content": "hi"},
            "send_ignore_reprint": 0,
            "clientmsgid": "c-1",
        }
    ]


async def test_template_and_customer_service_messages() -> None:
    fake = FakeWeChat()
    async with make_client(fake) as client:
        msgid = await client.templates.send(
            "o1", "TPL", {"thing1": "巧克力"}, url="https://x.example"
        )
        await client.custom.text("o1", "你好")
        await client.custom.mini_program_page(
            "o1", title="t", appid="wxmini", pagepath="p", thumb_media_id="m"
        )
    assert msgid == 200228332
    assert fake.bodies("/cgi-bin/message/template/send") == [
        {
            "touser": "o1",
            "template_id": "TPL",
            "data": {"thing1": {"value": "巧克力"}},
            "url": "https://x.example",
        }
    ]
    sent = fake.bodies("/cgi-bin/message/custom/send")
    assert sent[0] == {"touser": "o1", "msgtype": "text", "text": {"content": "你好"}}
    assert sent[1]["msgtype"] == "miniprogrampage"


async def test_customer_service_window_closed_is_permanent() -> None:
    fake = FakeWeChat()
    fake.on(
        "/cgi-bin/message/custom/send", {"errcode": 45015, "errmsg": "response out of time limit"}
    )
    async with make_client(fake) as client:
        with pytest.raises(PermanentError) as caught:
            await client.custom.text("o1", "late")
    assert caught.value.errcode == 45015
    assert len(fake.calls("/cgi-bin/message/custom/send")) == 1


async def test_oauth_url_and_code_exchange() -> None:
    fake = FakeWeChat()
    async with make_client(fake) as client:
        url = client.oauth.authorize_url("https://shop.example/cb?x=1", "snsapi_userinfo", "abc123")
        with pytest.raises(InvalidRequest):
            client.oauth.authorize_url("https://shop.example/cb", state="not valid!")
        token = await client.oauth.exchange_code("CODE")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "open.weixin.qq.com",
        "/connect/oauth2/authorize",
    )
    assert parts.fragment == "wechat_redirect"
    assert parse_qs(parts.query)["redirect_uri"] == ["https://shop.example/cb?x=1"]
    assert token.openid == "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
    assert token.is_snapshotuser is True
    (call,) = fake.calls("/sns/oauth2/access_token")
    assert call.url.params["grant_type"] == "authorization_code"
    assert "access_token" not in call.url.params
    assert fake.calls("/cgi-bin/stable_token") == []


async def test_datacube_spans_are_checked() -> None:
    fake = FakeWeChat()
    today = datetime.now(tz=CHINA_TZ).date()
    recent = today - timedelta(days=2)
    async with make_client(fake) as client:
        rows = await client.datacube.user_summary(recent - timedelta(days=6), recent)
        with pytest.raises(InvalidRequest):
            await client.datacube.user_summary(recent - timedelta(days=7), recent)
        with pytest.raises(InvalidRequest):
            await client.datacube.article_summary(today)
    assert rows[0]["ref_date"] == "2014-12-07"


async def test_quota_media_and_drafts() -> None:
    fake = FakeWeChat()
    async with make_client(fake) as client:
        quota = await client.quota.get("/cgi-bin/message/custom/send")
        with pytest.raises(InvalidRequest):
            await client.quota.get("https://api.weixin.qq.com/cgi-bin/token")
        uploaded = await client.media.upload("thumb", "t.jpg", b"\xff\xd8" * 10, "image/jpeg")
        with pytest.raises(InvalidRequest):
            await client.media.upload("thumb", "t.jpg", b"x" * (64 * 1024 + 1), "image/jpeg")
        draft = await client.drafts.add(
            [{"title": "标题", "content": "<p>x</p>", "thumb_media_id": "m"}]
        )
        with pytest.raises(InvalidRequest):
            await client.drafts.add([{"title": "t" * 33, "content": "x"}])
        with pytest.raises(InvalidRequest):
            await client.tags.update(2, "星标")
    assert quota == {"daily_limit": 500000, "used": 12, "remain": 499988}
    assert uploaded["media_id"] == "THUMB_MEDIA_ID_1"
    (upload,) = fake.calls("/cgi-bin/media/upload")
    assert upload.url.params["type"] == "thumb"
    assert b'name="media"; filename="t.jpg"' in upload.content
    assert draft == "DRAFT_MEDIA_ID_1"


def test_sync_client_blocks_and_returns_results() -> None:
    fake = FakeWeChat()
    with SyncOfficialAccountClient(
        APPID, "s3cret", base_url="https://sandbox.example", transport=fake.transport
    ) as client:
        tag = client.tags.create("广东")
        page = client.call(client.aio.users.followers)
    assert tag == {"id": 134, "name": "广东"}
    assert page.total == 3
    assert len(fake.calls("/cgi-bin/stable_token")) == 1
