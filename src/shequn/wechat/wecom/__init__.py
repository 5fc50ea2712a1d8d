"""WeCom (企业微信) customer-contact server APIs."""

from __future__ import annotations

from shequn.wechat.wecom.client import SyncWeComClient, WeComClient

__all__ = ["SyncWeComClient", "WeComClient"]
