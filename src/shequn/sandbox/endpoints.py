"""How a sandboxed API endpoint is declared.

    area = Area("tags", authenticate=oa_access_token, quotas=OA_DAILY_QUOTAS)

    @area.api("/cgi-bin/tags/create", needs=Needs.VERIFIED)
    async def create_tag(call: Call) -> dict[str, Any]:
        body = call.json()
        ...
        raise ApiError(45157)            # -> HTTP 200 {"errcode":45157,"errmsg":"... rid: ..."}
        return {"tag": {...}}            # -> HTTP 200 JSON (non-ASCII kept as is)

The wrapper does, in order: method check (43002), authentication (41001/40001/40014/42001 from
the area's authenticator), account-kind permission (48001), the daily quota of the path (45009),
then the handler. Handlers may also return any Starlette Response (images, redirects, HTML).
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from shequn.sandbox.clock import shanghai_day
from shequn.sandbox.context import Sandbox
from shequn.sandbox.errors import ApiError, new_rid
from shequn.sandbox.state import Doc

_UNICODE_ESCAPE = re.compile(rb"\\u[0-9a-fA-F]{4}")


class Needs(enum.Enum):
    """What an account must be to call an endpoint (reference §7, "适用范围")."""

    ANY = "any"
    VERIFIED = "verified"
    SERVICE = "service"
    VERIFIED_SERVICE = "verified_service"
    SERVICE_OR_VERIFIED = "service_or_verified"


def permitted(account: Mapping[str, Any], needs: Needs) -> bool:
    service = account.get("kind") == "service"
    verified = bool(account.get("verified"))
    return {
        Needs.ANY: True,
        Needs.VERIFIED: verified,
        Needs.SERVICE: service,
        Needs.VERIFIED_SERVICE: service and verified,
        Needs.SERVICE_OR_VERIFIED: service or verified,
    }[needs]


@dataclass
class Call:
    """One request to a sandboxed API, as seen by a handler."""

    request: Request
    sandbox: Sandbox
    rid: str
    body: bytes
    account: Doc | None = None
    _json: Any = field(default=None, repr=False)

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query_params

    @property
    def acct(self) -> Doc:
        """The authenticated account (endpoints declared with auth=False have none)."""
        if self.account is None:
            raise RuntimeError("this endpoint is not authenticated")
        return self.account

    @property
    def appid(self) -> str:
        return str(self.acct["appid"])

    def now(self) -> float:
        return self.sandbox.now()

    def deadline_now(self) -> float:
        return self.sandbox.deadline_now()

    def json(self) -> dict[str, Any]:
        """The JSON body; 44002 when empty, 40033 for \\uXXXX escapes, 47001 when unparsable."""
        if self._json is not None:
            return dict(self._json)
        if not self.body.strip():
            raise ApiError(44002)
        if _UNICODE_ESCAPE.search(self.body):
            raise ApiError(40033)
        try:
            data = json.loads(self.body)
        except ValueError as exc:
            raise ApiError(47001) from exc
        if not isinstance(data, dict):
            raise ApiError(47001)
        self._json = data
        return dict(data)

    def client_ip(self) -> str:
        client = self.request.client
        return client.host if client else "127.0.0.1"


Handler = Callable[[Call], Awaitable[Mapping[str, Any] | Response]]
Authenticator = Callable[[Call], Awaitable[Doc]]


def quota_limit(account: Mapping[str, Any], path: str, defaults: Mapping[str, int]) -> int | None:
    overrides = account.get("quotas") or {}
    if path in overrides:
        return int(overrides[path])
    return defaults.get(path)


def count_call(sandbox: Sandbox, account: Mapping[str, Any], path: str, limit: int | None) -> None:
    """Charge one call to today's quota of `path`, refusing with 45009 when it is used up."""
    if limit is None:
        return
    day = shanghai_day(sandbox.now())
    scope = f"quota:{account['appid']}"
    with sandbox.store.transaction():
        if sandbox.store.counter(scope, path, day) >= limit:
            raise ApiError(45009)
        sandbox.store.incr(scope, path, day)


def json_response(data: Mapping[str, Any]) -> Response:
    return JSONResponse(dict(data))


class Area:
    """A group of endpoints sharing an authenticator and a quota table."""

    def __init__(
        self,
        name: str,
        *,
        authenticate: Authenticator | None = None,
        quotas: Mapping[str, int] | None = None,
    ) -> None:
        self.name = name
        self.authenticate = authenticate
        self.quotas: Mapping[str, int] = quotas or {}
        self._routes: list[BaseRoute] = []

    def api(
        self,
        path: str,
        *,
        methods: Sequence[str] = ("POST",),
        needs: Needs = Needs.ANY,
        auth: bool = True,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            async def endpoint(request: Request) -> Response:
                sandbox: Sandbox = request.app.state.sandbox
                call = Call(
                    request=request, sandbox=sandbox, rid=new_rid(), body=await request.body()
                )
                try:
                    if request.method not in methods and request.method != "HEAD":
                        raise ApiError(43002 if "POST" in methods else 43001)
                    if auth:
                        if self.authenticate is None:
                            raise RuntimeError(f"area {self.name} has no authenticator")
                        call.account = await self.authenticate(call)
                        if not permitted(call.account, needs):
                            raise ApiError(48001)
                        limit = quota_limit(call.account, path, self.quotas)
                        count_call(sandbox, call.account, path, limit)
                    result = await handler(call)
                except ApiError as err:
                    return json_response(err.body(call.rid))
                if isinstance(result, Response):
                    return result
                return json_response(result)

            endpoint.__name__ = handler.__name__
            self._routes.append(Route(path, endpoint, methods=["GET", "POST"]))
            return handler

        return register

    def route(self, path: str, endpoint: Callable[..., Any], methods: Sequence[str]) -> None:
        """A plain Starlette route (pages, images) that does not follow the API conventions."""
        self._routes.append(Route(path, endpoint, methods=list(methods)))

    def routes(self) -> list[BaseRoute]:
        return list(self._routes)


def ok(**fields: Any) -> dict[str, Any]:
    """The success body of endpoints that answer errcode 0."""
    return {"errcode": 0, "errmsg": "ok", **fields}
