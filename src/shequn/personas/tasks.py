"""Background work of personas: syncing a corp's staff from WeCom."""

from __future__ import annotations

from shequn.channels.models import WeComCorp
from shequn.core.logging import get_logger
from shequn.jobs.tasks import RetryLater, tenant_task
from shequn.personas.staff_sync import sync_staff
from shequn.wechat.errors import APIError, Retryable

log = get_logger(__name__)


@tenant_task("personas.sync_staff", max_attempts=5)
def sync_corp_staff(corp_id: int) -> None:
    corp = WeComCorp.objects.filter(pk=corp_id, disconnected_at__isnull=True).first()
    if corp is None:
        return
    try:
        result = sync_staff(corp)
    except Retryable as exc:
        raise RetryLater(str(exc)) from exc
    except APIError as exc:
        log.warning("personas.sync.failed", corp=str(corp.uid), errcode=exc.errcode)
        return
    log.info("personas.sync.done", corp=str(corp.uid), total=result.total, added=result.added)
