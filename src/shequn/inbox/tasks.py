"""Sending stored outbound messages through the customer-service API.

The WeChat call runs after the task's transaction commits, never inside it: the client may
refresh the access token through the database token store from its own thread, which must not
wait behind a write lock this task holds (SQLite has one writer).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from shequn.core.logging import get_logger
from shequn.inbox.delivery import error_text, send
from shequn.inbox.models import Conversation, Message
from shequn.jobs.tasks import backoff_delay, tenant_task
from shequn.tenancy.scope import require_tenant, tenant_scope
from shequn.wechat.errors import APIError, Retryable

log = get_logger(__name__)

# The customer's own window is short (1 minute after a click): a few quick retries at most.
MAX_ATTEMPTS = 3
WINDOW_CODES = frozenset({45015, 45047, 43004})


@tenant_task("inbox.send_message", max_attempts=1)
def send_message(message_id: int) -> None:
    workspace = require_tenant()
    transaction.on_commit(lambda: _deliver(workspace, message_id))


def _deliver(workspace: object, message_id: int) -> None:
    from shequn.channels import services as channel_services

    with tenant_scope(workspace):  # type: ignore[arg-type]
        message = (
            Message.objects.select_related("conversation", "conversation__account")
            .filter(pk=message_id, delivery=Message.Delivery.PENDING)
            .first()
        )
        if message is None:
            return
        conversation = message.conversation
        data = dict(message.data or {})
        try:
            with channel_services.official_account_client(conversation.account) as client:
                send(
                    client, conversation.openid, message.kind, message.text, message.media_id, data
                )
        except Retryable as exc:
            _retry_or_fail(message, exc)
            return
        except APIError as exc:
            _failed(message, exc)
            return
        with transaction.atomic():
            message.delivery = Message.Delivery.SENT
            message.data = {**data, "sent_at": timezone.now().isoformat()}
            message.save(update_fields=["delivery", "data"])
        log.info("inbox.send.sent", message=str(message.uid))


def _failed(message: Message, exc: APIError) -> None:
    with transaction.atomic():
        message.delivery = Message.Delivery.FAILED
        message.error_code = exc.errcode
        message.error_message = error_text(exc)[:500]
        message.save(update_fields=["delivery", "error_code", "error_message"])
        if exc.errcode in WINDOW_CODES:
            # WeChat knows better than our count: nothing more can be sent until they write.
            Conversation.objects.filter(pk=message.conversation_id).update(
                message_window_left=0, event_window_left=0
            )
    log.info("inbox.send.failed", message=str(message.uid), errcode=exc.errcode)


def _retry_or_fail(message: Message, exc: APIError) -> None:
    attempts = int((message.data or {}).get("attempts", 0)) + 1
    if attempts >= MAX_ATTEMPTS:
        _failed(message, exc)
        return
    with transaction.atomic():
        message.data = {**(message.data or {}), "attempts": attempts}
        message.save(update_fields=["data"])
    delay: timedelta = backoff_delay(attempts, base=5.0, cap=30.0)
    send_message.using(run_after=timezone.now() + delay).enqueue(message.tenant_id, message.pk)
    log.warning("inbox.send.retry", message=str(message.uid), errcode=exc.errcode)
