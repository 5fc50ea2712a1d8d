"""Workspace tags, who carries them, and the limits WeChat enforces on their channel twins.

Limits are checked here, before anything reaches WeChat, so the operator gets a translated
message rather than an error code from a task: an official account holds at most 100 tags, a
follower at most 20, a tag name at most 30 characters; a WeCom corp at most 3000 corp tags.
WeChat calls run in tasks after commit (contacts.tasks).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.channels import queries as channel_queries
from shequn.contacts.models import TAG_NAME_MAX, Contact, ContactTag, Tag, TagMirror
from shequn.jobs.tasks import enqueue_on_commit

OA_TAGS_PER_ACCOUNT = 100
OA_TAGS_PER_USER = 20
WECOM_CORP_TAGS = 3000


class TagLimitError(ValueError):
    """A tag operation WeChat would refuse; the message is shown to the operator."""


def clean_tag_name(name: str, *, exclude: Tag | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise TagLimitError(_("A tag needs a name."))
    if len(name) > TAG_NAME_MAX:
        raise TagLimitError(
            _("A tag name can be at most %(max)d characters (WeChat's limit).")
            % {"max": TAG_NAME_MAX}
        )
    clash = Tag.objects.filter(name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise TagLimitError(_("A tag with this name already exists."))
    return name


def _check_tag_count() -> None:
    count = Tag.objects.count()
    if channel_queries.official_accounts().exists() and count >= OA_TAGS_PER_ACCOUNT:
        raise TagLimitError(
            _(
                "An official account can hold at most %(max)d tags; delete a tag before "
                "creating another."
            )
            % {"max": OA_TAGS_PER_ACCOUNT}
        )
    if channel_queries.wecom_corps().exists() and count >= WECOM_CORP_TAGS:
        raise TagLimitError(
            _("A WeCom corp can hold at most %(max)d customer tags.") % {"max": WECOM_CORP_TAGS}
        )


def channel_refs() -> list[str]:
    """The channels a tag is mirrored to: every connected official account and WeCom corp."""
    return [f"oa:{a.uid}" for a in channel_queries.official_accounts()] + [
        f"wecom:{c.uid}" for c in channel_queries.wecom_corps()
    ]


def _schedule_mirror(tag: Tag) -> None:
    from shequn.contacts import tasks

    for ref in channel_refs():
        mirror, _created = TagMirror.objects.get_or_create(tag=tag, channel_ref=ref)
        if mirror.status != TagMirror.Status.PENDING:
            mirror.status = TagMirror.Status.PENDING
            mirror.save(update_fields=["status"])
    enqueue_on_commit(tasks.mirror_tag, tag.tenant_id, tag.pk)


@transaction.atomic
def create_tag(name: str) -> Tag:
    name = clean_tag_name(name)
    _check_tag_count()
    tag: Tag = Tag.objects.create(name=name)
    _schedule_mirror(tag)
    record("contacts.tag.created", target=tag, data={"name": name})
    return tag


@transaction.atomic
def rename_tag(tag: Tag, name: str) -> Tag:
    name = clean_tag_name(name, exclude=tag)
    old, tag.name = tag.name, name
    tag.save(update_fields=["name"])
    _schedule_mirror(tag)
    record("contacts.tag.renamed", target=tag, data={"from": old, "to": name})
    return tag


@transaction.atomic
def delete_tag(tag: Tag) -> None:
    from shequn.contacts import tasks

    remote = [
        [m.channel_ref, m.remote_id]
        for m in TagMirror.objects.filter(tag=tag).exclude(remote_id="")
    ]
    record("contacts.tag.deleted", target=tag, data={"name": tag.name})
    tag.delete()
    if remote:
        enqueue_on_commit(tasks.delete_remote_tags, tag.tenant_id, remote)


def _contact_list(contacts: Iterable[Contact]) -> list[Contact]:
    return list({c.pk: c for c in contacts}.values())


@transaction.atomic
def tag_contacts(
    tag: Tag, contacts: Iterable[Contact], source: str = ContactTag.Source.MANUAL
) -> int:
    """Give the tag to every contact; returns how many did not have it yet.

    Refuses the whole batch when a contact already carries 20 tags (WeChat's per-follower cap).
    """
    from shequn.contacts import tasks

    people = _contact_list(contacts)
    have = set(
        ContactTag.objects.filter(tag=tag, contact__in=people).values_list("contact_id", flat=True)
    )
    new = [c for c in people if c.pk not in have]
    if not new:
        return 0
    counts: dict[int, int] = {}
    for contact_id in ContactTag.objects.filter(contact__in=new).values_list(
        "contact_id", flat=True
    ):
        counts[contact_id] = counts.get(contact_id, 0) + 1
    full = [c for c in new if counts.get(c.pk, 0) >= OA_TAGS_PER_USER]
    if full:
        raise TagLimitError(
            _(
                "%(name)s already has %(max)d tags, the most WeChat allows for one person; "
                "remove a tag first."
            )
            % {"name": str(full[0]), "max": OA_TAGS_PER_USER}
        )
    ContactTag.objects.bulk_create(
        [ContactTag(contact=c, tag=tag, source=source, tenant=tag.tenant) for c in new],
        ignore_conflicts=True,
    )
    enqueue_on_commit(tasks.push_tag_members, tag.tenant_id, tag.pk, "tag", [c.pk for c in new])
    record("contacts.tag.applied", target=tag, data={"contacts": len(new), "source": source})
    return len(new)


@transaction.atomic
def untag_contacts(tag: Tag, contacts: Iterable[Contact]) -> int:
    from shequn.contacts import tasks

    people = _contact_list(contacts)
    rows = ContactTag.objects.filter(tag=tag, contact__in=people)
    ids = list(rows.values_list("contact_id", flat=True))
    if not ids:
        return 0
    rows.delete()
    enqueue_on_commit(tasks.push_tag_members, tag.tenant_id, tag.pk, "untag", ids)
    record("contacts.tag.removed", target=tag, data={"contacts": len(ids)})
    return len(ids)
