"""The phone page in Debian's chromium: one customer's chat list, a chat with the brand's
service account (menu, sending a message, the reply arriving) and a red packet to confirm."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from shequn.sandbox import create_app
from tests.sandbox.conftest import RECEIVER_URL, Receiver
from tests.sandbox.population_support import CORPID, merchant, red_packet, wecom_corp
from tests.sandbox.test_phone_api import echo

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OPENID = "oPhoneBrowser00000000000001"
UNIONID = "oUnionBrowser00000000000001"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_sandbox() -> Iterator[tuple[str, Any]]:
    port = _free_port()
    receiver = Receiver(reply=echo)
    app = create_app(
        None,
        callback_transport=httpx.ASGITransport(app=receiver.app()),
        public_url=f"http://127.0.0.1:{port}",
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", app.state.sandbox
    server.should_exit = True
    thread.join(timeout=10)


async def _scene(base: str, sandbox: Any) -> str:
    """A mother who follows a baby brand, reads its subscription account, talks to its persona
    on WeCom, is in a group and has a join reward waiting."""
    async with httpx.AsyncClient(base_url=base) as client:

        async def account(**fields: Any) -> dict[str, Any]:
            fields.update(callback_url=RECEIVER_URL, encryption="plaintext")
            r = await client.post("/sandbox/accounts", json=fields)
            return r.json()  # type: ignore[no-any-return]

        service = await account(name="星宝贝 Hoshi Baby", kind="service")
        news = await account(name="星宝贝育儿日记", kind="subscription")
        for acct, openid in ((service, OPENID), (news, OPENID[:-1] + "2")):
            await client.post(
                f"/sandbox/accounts/{acct['appid']}/customers",
                json={"openid": openid, "unionid": UNIONID, "nickname": "糖糖妈"},
            )
        token = (
            await client.get(
                "/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": service["appid"],
                    "secret": service["secret"],
                },
            )
        ).json()["access_token"]
        menu = {
            "button": [
                {"type": "click", "name": "领红包", "key": "RED_PACKET"},
                {"type": "click", "name": "宝宝月龄群", "key": "GROUPS"},
                {
                    "name": "商城",
                    "sub_button": [
                        {"type": "view", "name": "纸尿裤", "url": "https://shop.example.com/d"},
                    ],
                },
            ]
        }
        await client.post("/cgi-bin/menu/create", params={"access_token": token}, json=menu)
        await client.post(
            f"/sandbox/accounts/{news['appid']}/customers/{OPENID[:-1]}2/events",
            json={"kind": "text", "content": "早上好"},
        )
        corp = await wecom_corp(client, RECEIVER_URL)
        home = (await client.get("/phone/api/home", params={"customer": OPENID})).json()
        for kind in ("staff", "join"):
            code = next(c for c in home["codes"] if c["kind"] == kind)
            await client.post("/phone/api/scan", json={"customer": OPENID, **code})
        await client.post(
            f"/sandbox/wecom/corps/{CORPID}/actions",
            json={
                "kind": "staff_posts_in_group",
                "userid": "xiaowanzi-01",
                "chat_id": corp["chat_id"],
                "text": "今晚8点育儿直播，欢迎参加！",
            },
        )
        await merchant(client)
        red_packet(sandbox, service["appid"], OPENID, "join-reward-1", amount=888)
        return str(service["appid"])


def test_phone_page_in_chromium(live_sandbox: tuple[str, Any]) -> None:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}: install Debian's chromium package"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    base, sandbox = live_sandbox
    asyncio.run(_scene(base, sandbox))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 480, "height": 880}, locale="zh-CN")
        try:
            page.goto(f"{base}/phone/")
            expect(page.locator(".row").first).to_be_visible()
            page.goto(f"{base}/phone/?customer={OPENID}")
            expect(page.locator(".packet")).to_contain_text("¥8.88")
            expect(page.locator("#screen")).to_contain_text("订阅号消息")
            expect(page.locator("#screen")).to_contain_text("宝妈交流群")
            page.locator(".packet button").click()
            expect(page.locator(".packet")).to_have_count(0)
            page.locator(".row", has_text="星宝贝 Hoshi Baby").click()
            expect(page.locator(".menubar")).to_contain_text("领红包")
            page.locator(".menubar .toggle").click()
            page.locator("#text").fill("宝宝8个月了，用几段奶粉？")
            page.locator("#sendbtn").click()
            expect(page.locator(".msg.me")).to_contain_text("宝宝8个月了")
            expect(page.locator("#screen")).to_contain_text("收到，客服马上回复您")
            page.locator(".inputbar .toggle").click()
            page.locator(".menubar button", has_text="商城").click()
            expect(page.locator(".submenu")).to_contain_text("纸尿裤")
            page.screenshot(path=str(SCREENSHOTS / "phone.png"))
        finally:
            browser.close()
