"""API failures grouped by what the caller has to do about them.

`TokenInvalid`: refresh the token and retry once. `Retryable`: back off and retry a few times.
`QuotaExhausted`: do not call again before `retry_after`. `PermanentError`: retrying will not help.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shequn.wechat.exceptions import WeChatError

_RID = re.compile(r"rid:\s*([0-9a-fA-F-]+)")


def rid_from_errmsg(errmsg: str) -> str | None:
    """The request id WeChat appends to errmsg (`... rid: 6650a1b2-...`), if any."""
    found = _RID.search(errmsg)
    return found.group(1) if found else None


class APIError(WeChatError):
    """A platform API answered with a non-zero errcode, or could not be reached."""

    def __init__(
        self,
        errcode: int | None,
        errmsg: str,
        *,
        path: str = "",
        rid: str | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path
        self.rid = rid if rid is not None else rid_from_errmsg(errmsg)
        self.payload: Mapping[str, Any] = payload if payload is not None else {}
        super().__init__(f"{path or '?'}: errcode={errcode} {errmsg}")


class TokenInvalid(APIError):
    """The access token was rejected (expired, overwritten, malformed): refresh and retry once."""


class Retryable(APIError):
    """A transient failure (system busy, per-minute frequency): back off and retry."""


class TransportError(Retryable):
    """Network failure, timeout or HTTP 5xx: nothing WeChat-level was learnt."""

    def __init__(self, message: str, *, path: str = "", status_code: int | None = None) -> None:
        super().__init__(None, message, path=path)
        self.status_code = status_code


class QuotaExhausted(APIError):
    """A quota is used up until a known time; calling again earlier fails the same way."""

    def __init__(
        self,
        errcode: int | None,
        errmsg: str,
        *,
        retry_after: datetime,
        path: str = "",
        rid: str | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(errcode, errmsg, path=path, rid=rid, payload=payload)
        self.retry_after = retry_after


class PermanentError(APIError):
    """A caller bug, a configuration problem or a user state; retrying cannot succeed."""


class MalformedResponse(PermanentError):
    """The answer was neither the expected file nor JSON (e.g. a proxy's HTML error page)."""


class TokenUnavailable(Retryable):
    """No token could be obtained in time (another process holds the refresh lease too long)."""


class InvalidRequest(WeChatError, ValueError):
    """A documented limit was violated client-side; the API was not called."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")
