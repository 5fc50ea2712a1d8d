"""Channels built through the services, with keys that the tests can sign and encrypt with."""

from __future__ import annotations

from typing import Any

from shequn.channels import services
from shequn.channels.models import OfficialAccount, WeComCorp

OA_TOKEN = "sakuratoken"
OA_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OA_AES_KEY_2 = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
WECOM_TOKEN = "wecomtoken"
WECOM_AES_KEY = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"


def make_official_account(**overrides: Any) -> OfficialAccount:
    values: dict[str, Any] = {
        "name": "Sakura OA",
        "appid": "wx0000000000000001",
        "secret": "sakura-app-secret-value",
        "token": OA_TOKEN,
        "encoding_aes_key": OA_AES_KEY,
        "encryption_mode": OfficialAccount.EncryptionMode.SAFE,
        "original_id": "gh_000000000001",
    }
    values.update(overrides)
    return services.connect_official_account(**values)


def make_wecom_corp(**overrides: Any) -> WeComCorp:
    values: dict[str, Any] = {
        "name": "Sakura WeCom",
        "corpid": "ww0000000000000001",
        "contact_secret": "sakura-contact-secret",
        "callback_token": WECOM_TOKEN,
        "callback_aes_key": WECOM_AES_KEY,
    }
    values.update(overrides)
    return services.connect_wecom_corp(**values)
