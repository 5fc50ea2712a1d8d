"""Official account (公众号/服务号) server APIs."""

from __future__ import annotations

from shequn.wechat.officialaccount.client import OfficialAccountClient, SyncOfficialAccountClient
from shequn.wechat.officialaccount.oauth import OAuthToken
from shequn.wechat.officialaccount.qrcodes import QRCodeTicket
from shequn.wechat.officialaccount.users import OpenIdPage, UserInfo

__all__ = [
    "OAuthToken",
    "OfficialAccountClient",
    "OpenIdPage",
    "QRCodeTicket",
    "SyncOfficialAccountClient",
    "UserInfo",
]
