"""WeCom (企业微信) customer contact, served under /qyapi with qyapi.weixin.qq.com's paths.

Modules: corps (corp setup), tokens (gettoken + authenticator), customers, contact_ways, tags,
welcome, group_welcome, groups, join_ways, mass, staff (API areas), push (callback channel +
URL handshake), actions (what customers and staff do), received, qrcodes, control
(/sandbox/wecom/...).
"""

from __future__ import annotations

import importlib

from starlette.routing import BaseRoute

from shequn.sandbox.context import Sandbox
from shequn.sandbox.wecom.push import WeComChannel

MOUNT = "/qyapi"
AREAS = (
    "tokens",
    "customers",
    "contact_ways",
    "tags",
    "welcome",
    "group_welcome",
    "groups",
    "join_ways",
    "mass",
    "staff",
)


def routes() -> list[BaseRoute]:
    out: list[BaseRoute] = []
    for name in AREAS:
        out.extend(importlib.import_module(f"{__name__}.{name}").area.routes())
    return out


def setup(sandbox: Sandbox) -> None:
    sandbox.callbacks.register(WeComChannel())


def control_routes() -> list[BaseRoute]:
    from shequn.sandbox.wecom import control

    return control.routes()
