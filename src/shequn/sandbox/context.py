"""The running sandbox: state, clock, faults and the callback dispatcher, shared by all routes.

Route handlers reach it as `request.app.state.sandbox` (endpoint handlers get it as `call.sandbox`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shequn.sandbox.clock import Clock
from shequn.sandbox.faults import Faults
from shequn.sandbox.state import StateStore

if TYPE_CHECKING:
    from shequn.sandbox.callbacks import Callbacks


@dataclass
class Sandbox:
    store: StateStore
    clock: Clock
    faults: Faults
    callbacks: Callbacks = field(init=False)
    # Where the sandbox is reachable from outside (QR code URLs, OAuth pages); set by serve().
    public_url: str = "http://127.0.0.1:8765"
    extras: dict[str, Any] = field(default_factory=dict)

    def now(self) -> float:
        """Business time: the virtual clock."""
        return self.clock.now()

    def deadline_now(self) -> float:
        """Protocol deadlines (token and code lifetimes): virtual or wall, see `clock.py`."""
        return self.clock.deadline_now()

    def wall_now(self) -> float:
        """Transport stamps (envelope timestamps, Pay signatures): always the wall clock."""
        return self.clock.wall_now()

    def reset(self) -> None:
        """Forget everything: accounts, customers, tokens, counters, outbox, logs, faults."""
        self.store.reset()
        self.faults.clear()
        self.store.meta_set("clock", self.clock.snapshot())
