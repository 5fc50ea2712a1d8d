"""A lean WSGI front for /cb/: callbacks skip Django's middleware, URL resolver and request object.

    application = CallbackDispatcher(get_wsgi_application())

Everything else goes to Django untouched. Callback inbox rows are group-committed by one writer
thread per process (see inbox.GroupCommitWriter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from shequn.ingest.inbox import GroupCommitWriter, Inserted, NewEvent, insert_now
from shequn.ingest.receive import (
    MAX_BODY_BYTES,
    NOT_FOUND,
    TOO_LARGE,
    Answer,
    Callback,
    handle,
    too_large,
)

PREFIX = "/cb/"
_STATUS = {
    200: "200 OK",
    204: "204 No Content",
    400: "400 Bad Request",
    403: "403 Forbidden",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    413: "413 Payload Too Large",
    503: "503 Service Unavailable",
}

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    found = {}
    for name, value in environ.items():
        if name.startswith("HTTP_WECHATPAY_"):
            found["Wechatpay-" + name[len("HTTP_WECHATPAY_") :].replace("_", "-").title()] = value
    return found


class CallbackDispatcher:
    def __init__(self, app: WSGIApp, *, group_commit: bool = True) -> None:
        self.app = app
        self.writer = GroupCommitWriter() if group_commit else None

    def _write(self, row: NewEvent) -> Inserted:
        if self.writer is None:
            return insert_now(row)
        return self.writer.submit(row)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return self.app(environ, start_response)
        answer = self._answer(environ, path)
        start_response(
            _STATUS.get(answer.status, f"{answer.status} Status"),
            [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body)))],
        )
        return [answer.body]

    def _answer(self, environ: dict[str, Any], path: str) -> Answer:
        parts = path[len(PREFIX) :].strip("/").split("/")
        if len(parts) != 2 or not path.endswith("/"):
            return NOT_FOUND
        kind, key = parts
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = None
        if too_large(length):
            return TOO_LARGE
        method = environ.get("REQUEST_METHOD", "GET")
        body = b""
        if method == "POST" and length:
            # Read one byte past the cap: a body longer than it says is refused, not truncated.
            body = environ["wsgi.input"].read(min(length, MAX_BODY_BYTES + 1))
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        return handle(
            Callback(
                kind=kind,
                key=key,
                method=method,
                query=query,
                body=body,
                headers=_headers(environ) if kind == "pay" else {},
            ),
            write=self._write,
        )
