"""Official-account APIs (api.weixin.qq.com, mp.weixin.qq.com, open.weixin.qq.com paths).

One module per API area, each with an `area = Area(...)`; AREAS lists them in mount order.
"""

from __future__ import annotations

import importlib

from starlette.routing import BaseRoute

from shequn.sandbox.context import Sandbox
from shequn.sandbox.endpoints import Area
from shequn.sandbox.officialaccount.push import OfficialAccountChannel

AREAS = (
    "tokens",
    "quota",
    "menus",
    "tags",
    "users",
    "qrcodes",
    "media",
    "drafts",
    "mass",
    "templates",
    "custom",
    "oauth",
    "datacube",
)


def areas() -> list[Area]:
    found = []
    for name in AREAS:
        module = importlib.import_module(f"{__name__}.{name}")
        found.append(module.area)
    return found


def routes() -> list[BaseRoute]:
    out: list[BaseRoute] = []
    for area in areas():
        out.extend(area.routes())
    return out


def setup(sandbox: Sandbox) -> None:
    sandbox.callbacks.register(OfficialAccountChannel())
