"""The synchronous (passive) reply hook of the callback hot path.

The callback answer may carry a reply only when it can be decided in memory within WeChat's
5-second budget (e.g. a cached keyword rule). Everything else is answered later through the
customer-service API by the worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shequn.ingest.channel_cache import CallbackChannel
    from shequn.wechat.messages import InboundMessage
    from shequn.wechat.replies import Reply


def passive_reply_for(channel: CallbackChannel, message: InboundMessage) -> Reply | None:
    """The reply to put in the callback answer, or None to answer "success".

    Must not touch the database or the network. Auto-replies fill this in.
    """
    return None
