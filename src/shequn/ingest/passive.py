"""The synchronous (passive) reply hook of the callback hot path.

The callback answer may carry a reply only when it can be decided in memory within WeChat's
5-second budget (e.g. a cached keyword rule). Everything else is answered later through the
customer-service API by the worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shequn.core.logging import get_logger

if TYPE_CHECKING:
    from shequn.ingest.channel_cache import CallbackChannel
    from shequn.wechat.messages import InboundMessage
    from shequn.wechat.replies import Reply

log = get_logger(__name__)


def passive_reply_for(channel: CallbackChannel, message: InboundMessage) -> Reply | None:
    """The reply to put in the callback answer, or None to answer "success".

    Official accounts answer from their auto-reply rules (a matcher compiled once and cached in
    process memory; the database is read only when the rules changed). A failure here must never
    cost the callback: it answers "success" and the worker replies instead.
    """
    if channel.kind != "oa":
        return None
    from shequn.inbox.services import answer_in_callback

    try:
        return answer_in_callback(channel.tenant_id, channel.channel_id, message)
    except Exception as exc:  # noqa: BLE001 - the callback must be answered whatever happens
        log.warning("ingest.passive.failed", error=type(exc).__name__)
        return None
