"""The sandbox under uvicorn on a free 127.0.0.1 port, spoken to over real HTTP, pushing a
safe-mode callback to a real local receiver that verifies and decrypts it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn

from shequn.sandbox import create_app
from shequn.sandbox.xmlwire import from_xml
from shequn.wechat.crypto import MessageCrypto
from shequn.wechat.signature import sha1_signature


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sandbox_url(tmp_path) -> Iterator[str]:
    port = _free_port()
    app = create_app(str(tmp_path / "sb.sqlite3"), public_url=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


class _Receiver(BaseHTTPRequestHandler):
    got: list[tuple[dict[str, list[str]], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.got.append((parse_qs(urlsplit(self.path).query), body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"success")

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.slow
def test_real_http_and_safe_mode_callback(sandbox_url):
    receiver = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        with httpx.Client(base_url=sandbox_url, timeout=10) as c:
            account = c.post(
                "/sandbox/accounts",
                json={
                    "encryption": "safe",
                    "callback_url": f"http://127.0.0.1:{receiver.server_port}/wx",
                },
            ).json()
            token = c.get(
                "/cgi-bin/token",
                params={
                    "grant_type": "client_credential",
                    "appid": account["appid"],
                    "secret": account["secret"],
                },
            ).json()["access_token"]
            tags = c.get("/cgi-bin/tags/get", params={"access_token": token})
            assert tags.status_code == 200
            assert tags.json()["tags"][0]["name"] == "星标组"
            customer = c.post(f"/sandbox/accounts/{account['appid']}/customers", json={}).json()
            # Without "wait", the background worker delivers it.
            c.post(
                f"/sandbox/accounts/{account['appid']}/customers/{customer['openid']}/events",
                json={"kind": "text", "content": "真实网络", "wait": False},
            )
            deadline = time.monotonic() + 10
            while not _Receiver.got and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        receiver.shutdown()
    params, body = _Receiver.got[0]
    ts, nonce = params["timestamp"][0], params["nonce"][0]
    encrypted = from_xml(body)["Encrypt"]
    assert params["msg_signature"][0] == sha1_signature(account["token"], ts, nonce, encrypted)
    crypto = MessageCrypto(account["token"], account["encoding_aes_key"], account["appid"])
    assert from_xml(crypto.decrypt(encrypted))["Content"] == "真实网络"
