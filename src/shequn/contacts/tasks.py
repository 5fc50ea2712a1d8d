"""Background work of the contacts app: WeChat calls that follow a committed change."""

from __future__ import annotations

from typing import Any

from shequn.contacts.follower_sync import fetch_follower_info, finish_run, run_sync_step
from shequn.contacts.models import SyncRun, Tag
from shequn.contacts.tag_mirroring import delete_remote, mirror_tag_everywhere, push_members
from shequn.core.logging import get_logger
from shequn.jobs.tasks import RetryLater, enqueue_on_commit, tenant_task
from shequn.wechat.errors import APIError, Retryable

log = get_logger(__name__)


@tenant_task("contacts.sync_followers_page", max_attempts=8)
def sync_followers_page(run_id: int) -> None:
    """One batch of a follower import; re-enqueues itself until the run is done."""
    run = SyncRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status != SyncRun.Status.RUNNING:
        return
    try:
        more = run_sync_step(run)
    except Retryable as exc:
        raise RetryLater(str(exc)) from exc
    except APIError as exc:
        log.warning("contacts.sync.failed", run=str(run.uid), errcode=exc.errcode)
        finish_run(run, SyncRun.Status.FAILED, str(exc))
        return
    if more:
        enqueue_on_commit(sync_followers_page, run.tenant_id, run.pk)


@tenant_task("contacts.fetch_follower", max_attempts=5)
def fetch_follower(account_id: int, openid: str) -> None:
    """A new follower's profile and unionid (user/info), so the person is merged across channels
    at once rather than at the next follower import."""
    try:
        fetch_follower_info(account_id, openid)
    except Retryable as exc:
        raise RetryLater(str(exc)) from exc
    except APIError as exc:
        log.warning("contacts.fetch_follower.failed", errcode=exc.errcode)


@tenant_task("contacts.mirror_tag")
def mirror_tag(tag_id: int) -> None:
    tag = Tag.objects.filter(pk=tag_id).first()
    if tag is not None:
        mirror_tag_everywhere(tag)


@tenant_task("contacts.delete_remote_tags")
def delete_remote_tags(remote: list[list[str]]) -> None:
    delete_remote([(ref, remote_id) for ref, remote_id in remote])


@tenant_task("contacts.push_tag_members")
def push_tag_members(tag_id: int, action: str, contact_ids: list[Any]) -> None:
    """Tag or untag the contacts on every channel the tag is mirrored to (batch APIs)."""
    tag = Tag.objects.filter(pk=tag_id).first()
    if tag is not None:
        push_members(tag, action, [int(i) for i in contact_ids])
