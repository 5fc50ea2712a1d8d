"""Default base URLs of the platforms; a sandbox is reached by changing only these."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

OFFICIAL_ACCOUNT_API: Final = "https://api.weixin.qq.com"
WECOM_API: Final = "https://qyapi.weixin.qq.com"
# showqrcode is served from the console host, not the API host, and needs no token.
MP_WEB: Final = "https://mp.weixin.qq.com"
# The OAuth consent page lives on yet another host and is opened by the user's browser.
OPEN_WEB: Final = "https://open.weixin.qq.com"


class Platform(StrEnum):
    """Which platform an API belongs to; the same errcode can mean different things on each."""

    OFFICIAL_ACCOUNT = "official_account"
    WECOM = "wecom"

    @property
    def default_base_url(self) -> str:
        return OFFICIAL_ACCOUNT_API if self is Platform.OFFICIAL_ACCOUNT else WECOM_API
