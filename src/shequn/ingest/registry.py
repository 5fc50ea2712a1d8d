"""Which code handles which inbox event: a registry filled by each app's `handlers.py`.

    from shequn.ingest.handlers import handles

    @handles("officialaccount", "event", "subscribe")
    def on_follow(ctx: HandlerContext) -> None: ...

Keys are (platform, MsgType, Event, ChangeType), matched case-insensitively; an empty Event or
ChangeType in a registration matches any value. Several handlers may share a key; each must be
idempotent, because events are retried and replayed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from shequn.ingest.models import InboundEvent


@dataclass(frozen=True)
class HandlerContext:
    event: InboundEvent
    message: Any  # shequn.wechat InboundMessage (OA, WeCom) or the Pay notification dict
    channel: Any  # OfficialAccount, WeComCorp or PayMerchant
    channel_ref: str  # "<kind>:<channel uid>", how contacts refer to channels


Handler = Callable[[HandlerContext], None]
Key = tuple[str, str, str, str]

_HANDLERS: dict[Key, list[Handler]] = {}


def _key(platform: str, msg_type: str, event: str, change_type: str) -> Key:
    return (platform.lower(), msg_type.lower(), event.lower(), change_type.lower())


def handles(
    platform: str, msg_type: str, event: str = "", change_type: str = ""
) -> Callable[[Handler], Handler]:
    key = _key(platform, msg_type, event, change_type)

    def register(func: Handler) -> Handler:
        found = _HANDLERS.setdefault(key, [])
        if func not in found:
            found.append(func)
        return func

    return register


def handlers_for(platform: str, msg_type: str, event: str, change_type: str) -> list[Handler]:
    """Exact matches first, then registrations with a wildcard change type, then event."""
    exact = _key(platform, msg_type, event, change_type)
    keys = [exact, (*exact[:3], ""), (*exact[:2], "", "")]
    found: list[Handler] = []
    for key in dict.fromkeys(keys):
        for handler in _HANDLERS.get(key, []):
            if handler not in found:
                found.append(handler)
    return found


def autodiscover() -> None:
    """Import `handlers` of every installed app, which registers its handlers."""
    from importlib import import_module

    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "handlers"):
            import_module(f"{config.name}.handlers")
