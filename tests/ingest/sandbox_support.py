"""Shequn wired to a live sandbox: the sandbox runs under uvicorn on a free 127.0.0.1 port with a
frozen clock and no background delivery (callbacks go out only when a test says so), Shequn is
pytest-django's live server, and the worker's tasks run in batch mode after each step.

Test modules import the fixture they need: `from tests.ingest.sandbox_support import
sandbox_fixture` provides `sandbox`.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import uvicorn
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from shequn.ingest.models import InboundEvent
from shequn.tenancy.scope import dangerously_no_tenant_scope


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Sandbox:
    """The running sandbox and its control API (`/sandbox/...`)."""

    url: str
    http: httpx.Client

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"/sandbox{path}", **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def advance(self, seconds: float) -> None:
        self.control("POST", "/clock", json={"advance": seconds})

    def now(self) -> float:
        return float(self.control("GET", "/clock")["now"])

    def faults(self, **rules: Any) -> None:
        self.control("POST", "/faults", json=rules)

    def flush(self) -> list[dict[str, Any]]:
        """Deliver every callback that is due on the sandbox clock."""
        return self.control("POST", "/callbacks/flush")["delivered"]  # type: ignore[no-any-return]

    def deliveries(self, scope: str) -> list[dict[str, Any]]:
        return self.control("GET", "/callbacks", params={"scope": scope})["deliveries"]  # type: ignore[no-any-return]


@pytest.fixture(name="sandbox")
def sandbox_fixture(tmp_path: Any) -> Iterator[Sandbox]:
    from shequn.sandbox import create_app
    from shequn.sandbox.clock import Clock

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(
        str(tmp_path / "sandbox.sqlite3"),
        clock=Clock.frozen(float(int(time.time()))),
        public_url=url,
        run_worker=False,
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "the sandbox did not start"
    with httpx.Client(base_url=url, timeout=15) as http:
        yield Sandbox(url, http)
    server.should_exit = True
    thread.join(timeout=10)


def run_worker() -> None:
    """What `shequn worker` does with the queued tasks, until none is ready (bounded)."""
    for _ in range(5):
        call_command(
            "db_worker",
            queue_name="*",
            batch=True,
            no_startup_delay=True,
            interval=0.01,
            verbosity=0,
        )
        if not DBTaskResult.objects.ready().exists():
            return


def inbox_rows() -> list[InboundEvent]:
    with dangerously_no_tenant_scope():
        # unscoped: the tests count rows in every tenant to show nothing was stored twice
        return list(InboundEvent.objects.unscoped().order_by("id"))


@dataclass
class LossyGateway:
    """A reverse proxy in front of Shequn that loses the answers to the next `lose` requests
    after forwarding them: Shequn stored the callback but the platform saw a 502 and retries."""

    target: str
    lose: int = 0
    forwarded: list[int] = field(default_factory=list)
    port: int = 0

    def start(self) -> ThreadingHTTPServer:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = httpx.request(
                    self.command,
                    gateway.target + self.path,
                    content=body,
                    headers={
                        k: v
                        for k, v in self.headers.items()
                        if k.lower() not in ("host", "content-length", "connection")
                    },
                    timeout=10,
                )
                gateway.forwarded.append(answer.status_code)
                if gateway.lose > 0:
                    gateway.lose -= 1
                    status, payload = 502, b"bad gateway"
                else:
                    status, payload = answer.status_code, answer.content
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _forward  # noqa: N815 - BaseHTTPRequestHandler's naming
            do_POST = _forward  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = server.server_port
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
