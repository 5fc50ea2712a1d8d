"""WeChat Pay v3 merchant transfers (api.mch.weixin.qq.com paths, no prefix).

Modules: merchants (setup, keys, balance), wire (signed answers, request authentication),
bills (bill life), transfers (the /v3 endpoints), push (notifications and timers), faults
(Pay-shaped injected failures), actions (the payee), control (/sandbox/pay/...).
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from shequn.sandbox.context import Sandbox
from shequn.sandbox.pay.faults import PayAwareFaults
from shequn.sandbox.pay.push import PayChannel


def routes() -> list[BaseRoute]:
    from shequn.sandbox.pay import transfers

    return transfers.routes()


def setup(sandbox: Sandbox) -> None:
    sandbox.callbacks.register(PayChannel())
    sandbox.faults = PayAwareFaults(sandbox.store)


def control_routes() -> list[BaseRoute]:
    from shequn.sandbox.pay import control

    return control.routes()
