"""Sending stored outbound messages through the customer-service API (after commit)."""

from __future__ import annotations

from django.utils import timezone

from shequn.core.logging import get_logger
from shequn.inbox.delivery import error_text, send
from shequn.inbox.models import Conversation, Message
from shequn.jobs.tasks import RetryLater, tenant_task
from shequn.wechat.errors import APIError, Retryable

log = get_logger(__name__)

# The customer's own window is short (1 minute after a click); a few quick retries at most.
MAX_ATTEMPTS = 3
WINDOW_CODES = frozenset({45015, 45047, 43004})


@tenant_task("inbox.send_message", max_attempts=MAX_ATTEMPTS, retry_on=(Retryable,))
def send_message(message_id: int) -> None:
    from shequn.channels import services as channel_services

    message = (
        Message.objects.select_related("conversation", "conversation__account")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.delivery != Message.Delivery.PENDING:
        return
    conversation = message.conversation
    data = dict(message.data or {})
    try:
        with channel_services.official_account_client(conversation.account) as client:
            send(client, conversation.openid, message.kind, message.text, message.media_id, data)
    except Retryable as exc:
        log.warning("inbox.send.retry", message=str(message.uid), errcode=exc.errcode)
        raise RetryLater(str(exc)) from exc
    except APIError as exc:
        message.delivery = Message.Delivery.FAILED
        message.error_code = exc.errcode
        message.error_message = error_text(exc)[:500]
        message.save(update_fields=["delivery", "error_code", "error_message"])
        if exc.errcode in WINDOW_CODES:
            # WeChat knows better than our count: nothing more can be sent until they write.
            Conversation.objects.filter(pk=conversation.pk).update(
                message_window_left=0, event_window_left=0
            )
        log.info("inbox.send.failed", message=str(message.uid), errcode=exc.errcode)
        return
    message.delivery = Message.Delivery.SENT
    message.data = {**data, "sent_at": timezone.now().isoformat()}
    message.save(update_fields=["delivery", "data"])
    log.info("inbox.send.sent", message=str(message.uid))
