"""Background work of live codes: creating contact ways in chunks and keeping them balanced."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks.base import Task

from shequn.core.logging import get_logger
from shequn.jobs.schedule import periodic
from shequn.jobs.tasks import background_task, enqueue_on_commit, tenant_task
from shequn.livecodes import provisioning
from shequn.livecodes.models import Campaign, LiveCode
from shequn.tenancy.models import Workspace
from shequn.tenancy.scope import tenant_scope

log = get_logger(__name__)

THROTTLE_PAUSE = timedelta(seconds=60)  # WeCom blocks a minute after a per-minute limit


def _again(task_obj: Task[Any, Any], campaign: Campaign, *, throttled: bool) -> None:
    if throttled:
        later = task_obj.using(run_after=timezone.now() + THROTTLE_PAUSE)
        enqueue_on_commit(later, campaign.tenant_id, campaign.pk)
    else:
        enqueue_on_commit(task_obj, campaign.tenant_id, campaign.pk)


@tenant_task("livecodes.provision_codes", max_attempts=8)
def provision_codes(campaign_id: int) -> int:
    """One chunk of the campaign's pending codes; re-enqueues itself until none is pending."""
    campaign = Campaign.objects.select_related("corp").filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    progress = provisioning.provision(campaign)
    if progress.more:
        _again(provision_codes, campaign, throttled=progress.throttled)
    return progress.done


@tenant_task("livecodes.rebalance_campaign", max_attempts=5)
def rebalance_campaign(campaign_id: int) -> int:
    """Point the campaign's ways at the staff below capacity now."""
    campaign = Campaign.objects.select_related("corp").filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    progress = provisioning.rebalance(campaign)
    if progress.more:
        _again(rebalance_campaign, campaign, throttled=progress.throttled)
    return progress.done


@periodic("livecodes.rebalance", every=timedelta(minutes=10))
@background_task("livecodes.rebalance")
def rebalance_all() -> int:
    """Fan out over workspaces: one rebalance task per active campaign with live codes."""
    queued = 0
    for workspace in Workspace.objects.filter(archived_at__isnull=True):
        with tenant_scope(workspace):
            campaign_ids = (
                LiveCode.objects.filter(campaign__active=True, status=LiveCode.Status.ACTIVE)
                .values_list("campaign_id", flat=True)
                .distinct()
            )
            for campaign_id in campaign_ids:
                enqueue_on_commit(rebalance_campaign, workspace.pk, campaign_id)
                queued += 1
    return queued
