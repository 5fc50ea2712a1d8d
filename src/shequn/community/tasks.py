"""Background work of community: re-reading groups after events, and the progression run."""

from __future__ import annotations

from datetime import timedelta

from shequn.community import group_welcome, services
from shequn.community.models import GroupPool
from shequn.contacts.models import CustomerGroup
from shequn.core.logging import get_logger
from shequn.jobs.schedule import periodic
from shequn.jobs.tasks import RetryLater, background_task, tenant_task
from shequn.tenancy.models import Workspace
from shequn.tenancy.scope import tenant_scope
from shequn.wechat.errors import Retryable

log = get_logger(__name__)


@tenant_task("community.refresh_group", max_attempts=6)
def refresh_group(group_id: int, corp_ref: str) -> None:
    group = CustomerGroup.objects.filter(pk=group_id).select_related("corp").first()
    if group is None:
        return
    try:
        services.refresh_group(corp_ref, group)
    except Retryable as exc:
        raise RetryLater(str(exc)) from exc


@tenant_task("community.sync_group_welcome", max_attempts=6)
def sync_group_welcome(pool_id: int) -> None:
    pool = GroupPool.objects.filter(pk=pool_id).select_related("corp").first()
    if pool is None:
        return
    try:
        group_welcome.sync_group_welcome(pool)
    except Retryable as exc:
        raise RetryLater(str(exc)) from exc


def progress_workspace(workspace: Workspace) -> int:
    with tenant_scope(workspace):
        return services.invite_to_next_pools()


@periodic("community.progression", every=timedelta(hours=6))
@background_task("community.progression")
def progression() -> int:
    """Invite members whose segment moved on to the next pool (fans out per workspace)."""
    total = 0
    for workspace in Workspace.objects.filter(archived_at__isnull=True):
        try:
            total += progress_workspace(workspace)
        except Exception:  # one workspace's failure must not stop the others
            log.exception("community.progression.failed", workspace=str(workspace.uid))
    return total


__all__ = ["progress_workspace", "progression", "refresh_group", "sync_group_welcome"]
