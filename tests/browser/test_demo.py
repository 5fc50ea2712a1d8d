"""The real demo, end to end: `shequn demo --fresh` in a subprocess (own data dir, free ports), a
sign-in, the overview's numbers growing while the customers live, an answer from the inbox
arriving on the sandbox phone, the console in Japanese and in Chinese, and Ctrl-C stopping every
process it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_console_browser import browser_page, shot
from tests.ingest.sandbox_support import free_port

pytestmark = pytest.mark.browser

__all__ = ["browser_page"]

COSMETICS_APPID = "wx5a6b0c0a5e7c0001"
QUESTION = "Is the cherry serum good for dry skin?"
ANSWER = "Yes: it is made for dry skin. Try it for two weeks."


@dataclass
class Demo:
    proc: subprocess.Popen[str]
    console: str
    sandbox: str
    output: list[str] = field(default_factory=list)

    def children(self) -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, IndexError, ProcessLookupError):
                continue
            if int(fields[1]) == self.proc.pid:
                found.append(int(stat.parent.name))
        return found


def _wait(predicate: Any, timeout: float, message: Any) -> Any:
    """Poll `predicate`; `message` is a string or a callable giving one when time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(message() if callable(message) else message)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    port, sandbox_port = free_port(), free_port()
    while sandbox_port + 1 == port:
        sandbox_port = free_port()
    env = {**os.environ, "SHEQUN_DATA_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "shequn.cli", "demo", "--fresh", "--backfill-days", "0.5"]
    command += ["--port", str(port), "--sandbox-port", str(sandbox_port)]
    proc = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    running = Demo(proc, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{sandbox_port}")

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            running.output.append(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        _wait(
            lambda: any("Shequn demo is running" in line for line in running.output),
            240,
            lambda: "the demo did not start:\n" + "".join(running.output[-40:]),
        )
        yield running
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _numbers(page: Any) -> int:
    totals = page.locator("#overview-charts .ov-total").evaluate_all(
        "els => els.map(e => Number(e.dataset.total))"
    )
    return int(sum(totals))


def test_the_demo_tells_its_story(demo: Demo, browser_page: Any) -> None:
    page = browser_page
    out = "".join(demo.output)
    assert "mika@demo.shequn.local" in out
    assert "shequn-demo-2026" in out
    assert f"{demo.sandbox}/phone/" in out

    page.goto(f"{demo.console}/")
    page.get_by_label("E-mail address").fill("emma@demo.shequn.local")
    page.get_by_label("Password").fill("shequn-demo-2026")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/overview/")
    page.goto(f"{demo.console}/w/sakura-cosmetics/overview/")
    assert page.get_by_role("heading", name="Your customers, day by day").is_visible()

    first = _wait(lambda: _numbers(page), 60, "no customer numbers on the overview")
    shot(page, "demo-01-overview")
    # htmx refreshes the charts every 5 s: no reload, the numbers grow by themselves.
    _wait(lambda: _numbers(page) > first, 60, "the overview's numbers did not grow")
    assert page.locator("#overview-charts svg title").count() >= 6
    shot(page, "demo-02-overview-grown")

    # A customer writes to the brand once the story is live (WeChat's 48-hour window).
    _wait(
        lambda: any("live x" in line for line in demo.output[-5:]),
        150,
        lambda: "the demo did not go live:\n" + "".join(demo.output[-10:]),
    )
    phone = httpx.Client(base_url=demo.sandbox, timeout=30)
    customers = phone.get("/phone/api/customers").json()["customers"]
    customer = next(c["id"] for c in customers if c["where"].startswith("Sakura"))
    phone.post(
        "/phone/api/follow",
        json={"customer": customer, "appid": COSMETICS_APPID, "follow": True},
    )
    sent = phone.post(
        "/phone/api/send", json={"customer": customer, "appid": COSMETICS_APPID, "text": QUESTION}
    )
    assert sent.json()["delivery"]["status"] == "delivered"

    page.goto(f"{demo.console}/w/sakura-cosmetics/inbox/")
    row = page.locator("tr").filter(has_text=QUESTION)
    _wait(lambda: row.count() or page.reload() or False, 60, "the question is not in the inbox")
    shot(page, "demo-03-inbox")
    row.first.get_by_role("link").first.click()
    page.wait_for_url("**/inbox/c/**")
    page.locator("#reply-text").fill(ANSWER)
    page.get_by_role("button", name="Send").click()
    page.get_by_text(ANSWER).first.wait_for()

    page.goto(f"{demo.sandbox}/phone/?customer={customer}")
    page.locator(".row", has_text="Sakura Cosmetics").first.click()
    expect(page.locator("#screen")).to_contain_text(ANSWER, timeout=60_000)
    shot(page, "demo-04-phone")

    page.goto(f"{demo.console}/w/sakura-cosmetics/overview/")
    page.get_by_label("Language").click()
    page.get_by_role("button", name="日本語").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="お客さまの動き（日別）").is_visible()
    assert page.get_by_text("フォロワー純増").first.is_visible()
    shot(page, "demo-05-overview-ja")
    page.get_by_label("言語").click()
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="客户动态（按天）").is_visible()
    assert page.get_by_text("粉丝净增").first.is_visible()
    shot(page, "demo-06-overview-zh")

    children = demo.children()
    assert len(children) == 4  # web, worker and one sandbox per brand
    demo.proc.send_signal(signal.SIGINT)  # what Ctrl-C does
    assert demo.proc.wait(timeout=30) == 0
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or _zombie(pid), f"process {pid} outlived the demo"


def _zombie(pid: int) -> bool:
    try:
        return " Z " in Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
