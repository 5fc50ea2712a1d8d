"""A local WeChat: official-account APIs, callbacks, faults and a control API (see README.md).

Imports only `shequn.wechat` and third-party packages (enforced by import-linter).
"""

from __future__ import annotations

from shequn.sandbox.app import create_app
from shequn.sandbox.clock import Clock
from shequn.sandbox.server import serve

__all__ = ["Clock", "create_app", "serve"]
