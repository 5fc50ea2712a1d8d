"""Keeping workspace tags and their members in step with official-account and WeCom tags.

Runs in tasks, after the change that asked for it committed. Official-account tags are one flat
list per account; WeCom corp tags live in groups, and Shequn keeps its own in one group.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from shequn.channels import queries as channel_queries
from shequn.channels import services as channel_services
from shequn.channels.models import OfficialAccount, WeComCorp
from shequn.contacts.models import Identity, Tag, TagMirror
from shequn.core.logging import get_logger
from shequn.jobs.tasks import RetryLater
from shequn.wechat.errors import APIError, Retryable

log = get_logger(__name__)

OA_BATCH = 50  # tags/members/batchtagging takes at most 50 openids (40032 beyond)
WECOM_GROUP_NAME = "Shequn"
DUPLICATE_NAME = 45157


def _channel(ref: str) -> Any | None:
    kind, _sep, uid = ref.partition(":")
    channel = channel_queries.channel_by_uid(uid)
    if channel is None:
        return None
    if kind == "oa" and isinstance(channel, OfficialAccount):
        return channel
    if kind == "wecom" and isinstance(channel, WeComCorp):
        return channel
    return None


@contextmanager
def _client(channel: Any) -> Iterator[Any]:
    factory = (
        channel_services.official_account_client
        if isinstance(channel, OfficialAccount)
        else channel_services.wecom_client
    )
    with factory(channel) as client:
        yield client


def _oa_remote_id(client: Any, name: str) -> str:
    try:
        return str(client.tags.create(name)["id"])
    except APIError as exc:
        if exc.errcode != DUPLICATE_NAME:
            raise
        # The account already has a tag of this name (made outside Shequn): adopt it.
        for remote in client.tags.get():
            if remote.get("name") == name:
                return str(remote["id"])
        raise


def _wecom_remote_ids(client: Any, name: str) -> tuple[str, str]:
    group = client.corp_tags.add([name], group_name=WECOM_GROUP_NAME)
    for remote in group.get("tag", []):
        if remote.get("name") == name:
            return str(remote["id"]), str(group.get("group_id", ""))
    raise APIError(None, f"corp tag {name!r} missing from the answer", path="add_corp_tag")


def mirror_one(mirror: TagMirror, tag: Tag) -> None:
    channel = _channel(mirror.channel_ref)
    if channel is None:
        mirror.delete()
        return
    try:
        with _client(channel) as client:
            if isinstance(channel, OfficialAccount):
                if mirror.remote_id:
                    client.tags.update(int(mirror.remote_id), tag.name)
                else:
                    mirror.remote_id = _oa_remote_id(client, tag.name)
            elif mirror.remote_id:
                client.corp_tags.edit(mirror.remote_id, name=tag.name)
            else:
                mirror.remote_id, mirror.remote_group_id = _wecom_remote_ids(client, tag.name)
    except Retryable as exc:
        raise RetryLater(str(exc)) from exc
    except APIError as exc:
        mirror.status, mirror.error_code = TagMirror.Status.FAILED, exc.errcode
        mirror.error_message = str(exc)[:300]
        mirror.save()
        log.warning("contacts.tag.mirror_failed", ref=mirror.channel_ref, errcode=exc.errcode)
        return
    mirror.status, mirror.error_code, mirror.error_message = TagMirror.Status.SYNCED, None, ""
    mirror.synced_at = timezone.now()
    mirror.save()


def mirror_tag_everywhere(tag: Tag) -> None:
    for mirror in TagMirror.objects.filter(tag=tag, status=TagMirror.Status.PENDING):
        mirror_one(mirror, tag)


def delete_remote(remote: Sequence[tuple[str, str]]) -> None:
    for ref, remote_id in remote:
        channel = _channel(ref)
        if channel is None:
            continue
        try:
            with _client(channel) as client:
                if isinstance(channel, OfficialAccount):
                    client.tags.delete(int(remote_id))
                else:
                    client.corp_tags.delete(tag_ids=[remote_id])
        except Retryable as exc:
            raise RetryLater(str(exc)) from exc
        except APIError as exc:
            log.warning("contacts.tag.remote_delete_failed", ref=ref, errcode=exc.errcode)


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _identities(kind: str, ref: str, contact_ids: Sequence[int]) -> list[str]:
    return sorted(
        Identity.objects.filter(kind=kind, channel_ref=ref, contact_id__in=contact_ids).values_list(
            "value", flat=True
        )
    )


def _push_oa(client: Any, mirror: TagMirror, action: str, openids: list[str]) -> None:
    call = client.tags.batch_tag if action == "tag" else client.tags.batch_untag
    for chunk in _chunks(openids, OA_BATCH):
        try:
            call(int(mirror.remote_id), chunk)
        except Retryable:
            raise
        except APIError as exc:
            mirror.error_code, mirror.error_message = exc.errcode, str(exc)[:300]
            mirror.save(update_fields=["error_code", "error_message"])
            log.warning("contacts.tag.push_failed", ref=mirror.channel_ref, errcode=exc.errcode)


def _push_wecom(client: Any, mirror: TagMirror, action: str, external_ids: list[str]) -> None:
    change = {"add": [mirror.remote_id]} if action == "tag" else {"remove": [mirror.remote_id]}
    for external_userid in external_ids:
        try:
            detail = client.customers.get(external_userid)
            for follow in detail.get("follow_user", []):
                client.corp_tags.mark(follow["userid"], external_userid, **change)
        except Retryable:
            raise
        except APIError as exc:
            log.warning("contacts.tag.push_failed", ref=mirror.channel_ref, errcode=exc.errcode)


def push_members(tag: Tag, action: str, contact_ids: Sequence[int]) -> None:
    """Tag or untag contacts on every channel where the tag has a twin."""
    mirrors = list(TagMirror.objects.filter(tag=tag))
    if any(m.status == TagMirror.Status.PENDING for m in mirrors):
        raise RetryLater("the tag is not mirrored yet")
    try:
        for mirror in mirrors:
            if mirror.status != TagMirror.Status.SYNCED:
                continue
            channel = _channel(mirror.channel_ref)
            if channel is None:
                continue
            with _client(channel) as client:
                if isinstance(channel, OfficialAccount):
                    openids = _identities(Identity.Kind.OA_OPENID, mirror.channel_ref, contact_ids)
                    _push_oa(client, mirror, action, openids)
                else:
                    external = _identities(
                        Identity.Kind.WECOM_EXTERNAL_USERID, mirror.channel_ref, contact_ids
                    )
                    _push_wecom(client, mirror, action, external)
    except Retryable as exc:
        raise RetryLater(str(exc)) from exc
