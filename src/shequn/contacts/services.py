"""Writes on contacts, identities, the timeline, follower state and customer groups.

Every function is idempotent for one source event: handlers are retried and replayed. Follows
and joins are data, recorded on the contact's timeline; merges, which change who a row belongs
to, are also written to the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.channels.models import OfficialAccount
from shequn.contacts.models import (
    AttributeDefinition,
    AutoTagRule,
    Contact,
    ContactAttribute,
    ContactEvent,
    ContactMerge,
    ContactTag,
    Follower,
    GroupMembership,
    Identity,
)


def _get_or_create(model: Any, defaults: dict[str, Any] | None = None, **lookup: Any) -> Any:
    """get_or_create that survives a concurrent insert of the same unique key."""
    found = model.objects.filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **(defaults or {}))
    except IntegrityError:
        return model.objects.get(**lookup)


def resolve(contact: Contact) -> Contact:
    """Follow merges to the contact that is kept."""
    seen = 0
    while contact.merged_into_id is not None and seen < 10:
        contact = Contact.objects.get(pk=contact.merged_into_id)
        seen += 1
    return contact


def contact_for_identity(kind: str, value: str, channel_ref: str = "") -> Contact:
    """The contact behind a platform identity, created with the identity when first seen."""
    identity = Identity.objects.filter(kind=kind, channel_ref=channel_ref, value=value).first()
    if identity is not None:
        return resolve(identity.contact)
    with transaction.atomic():
        contact: Contact = Contact.objects.create()
        try:
            with transaction.atomic():
                Identity.objects.create(
                    contact=contact, kind=kind, channel_ref=channel_ref, value=value
                )
        except IntegrityError:
            contact.delete()
            identity = Identity.objects.get(kind=kind, channel_ref=channel_ref, value=value)
            return resolve(identity.contact)
    return contact


@transaction.atomic
def attach_unionid(contact: Contact, unionid: str) -> Contact:
    """Give the contact its unionid; if another contact already has it, they are one person."""
    if not unionid:
        return contact
    existing = Identity.objects.filter(
        kind=Identity.Kind.UNIONID, channel_ref="", value=unionid
    ).first()
    if existing is None:
        _get_or_create(
            Identity,
            kind=Identity.Kind.UNIONID,
            channel_ref="",
            value=unionid,
            defaults={"contact": contact},
        )
        return contact
    other = resolve(existing.contact)
    if other.pk == contact.pk:
        return contact
    return merge(keep=other, merge_away=contact, reason="unionid")


PROFILE_FIELDS = (
    "display_name",
    "nickname",
    "remark",
    "avatar_url",
    "gender",
    "language",
    "region",
    "first_touch_at",
    "first_touch_channel",
    "first_touch_scene",
    "last_touch_at",
    "last_touch_channel",
    "last_touch_scene",
    "followed_at",
    "follow_scene",
)


def _snapshot(contact: Contact) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        value = getattr(contact, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out


def _restore(contact: Contact, snapshot: dict[str, Any]) -> None:
    for name, value in snapshot.items():
        if name.endswith("_at") and value:
            value = datetime.fromisoformat(value)
        setattr(contact, name, value)


@transaction.atomic
def merge(*, keep: Contact, merge_away: Contact, reason: str) -> Contact:
    """Move everything of `merge_away` onto `keep`; the earlier first touch wins.

    The ids of the moved rows and `keep`'s profile before the merge are recorded on the
    ContactMerge, so `unmerge` can put things back. A tag or attribute both contacts have stays
    with `merge_away` (hidden while merged) rather than being deleted.
    """
    if keep.created_at and merge_away.created_at and merge_away.created_at < keep.created_at:
        keep, merge_away = merge_away, keep
    before = _snapshot(keep)

    def move(rows: Any) -> list[int]:
        ids = list(rows.values_list("pk", flat=True))
        rows.model.objects.filter(pk__in=ids).update(contact=keep)
        return ids

    kept_tags = ContactTag.objects.filter(contact=keep).values("tag_id")
    kept_attributes = ContactAttribute.objects.filter(contact=keep).values("definition_id")
    moved = {
        "identity": move(Identity.objects.filter(contact=merge_away)),
        "event": move(ContactEvent.objects.filter(contact=merge_away)),
        "follower": move(Follower.objects.filter(contact=merge_away)),
        "membership": move(GroupMembership.objects.filter(contact=merge_away)),
        "tag": move(ContactTag.objects.filter(contact=merge_away).exclude(tag_id__in=kept_tags)),
        "attribute": move(
            ContactAttribute.objects.filter(contact=merge_away).exclude(
                definition_id__in=kept_attributes
            )
        ),
    }
    if merge_away.first_touch_at and (
        keep.first_touch_at is None or merge_away.first_touch_at < keep.first_touch_at
    ):
        keep.first_touch_at = merge_away.first_touch_at
        keep.first_touch_channel = merge_away.first_touch_channel
        keep.first_touch_scene = merge_away.first_touch_scene
    if merge_away.last_touch_at and (
        keep.last_touch_at is None or merge_away.last_touch_at > keep.last_touch_at
    ):
        keep.last_touch_at = merge_away.last_touch_at
        keep.last_touch_channel = merge_away.last_touch_channel
        keep.last_touch_scene = merge_away.last_touch_scene
    if merge_away.followed_at and (
        keep.followed_at is None or merge_away.followed_at > keep.followed_at
    ):
        keep.followed_at, keep.follow_scene = merge_away.followed_at, merge_away.follow_scene
    for name in ("display_name", "nickname", "remark", "avatar_url", "gender", "language"):
        if not getattr(keep, name):
            setattr(keep, name, getattr(merge_away, name))
    if not keep.region:
        keep.region = merge_away.region
    keep.save()
    merge_away.merged_into = keep
    merge_away.save(update_fields=["merged_into"])
    ContactMerge.objects.create(
        kept=keep, merged=merge_away, reason=reason, moved=moved, kept_before=before
    )
    record(
        "contacts.contact.merged",
        target=keep,
        data={"merged": str(merge_away.uid), "reason": reason},
    )
    return keep


class UnmergeError(ValueError):
    """A merge that cannot be undone (already undone); the message is shown to the operator."""


@transaction.atomic
def unmerge(merge_record: ContactMerge) -> Contact:
    """Undo a merge: the merged-away contact gets back its identities, timeline, follows, group
    memberships, tags and attributes, and the kept contact its profile from before the merge.
    Returns the restored contact. What happened to the kept contact since the merge stays there.
    """
    from django.utils import timezone

    if merge_record.undone_at is not None:
        raise UnmergeError(_("This merge has already been undone."))
    merged: Contact = Contact.objects.get(pk=merge_record.merged_id)
    kept = Contact.objects.get(pk=merge_record.kept_id)
    models_by_key: dict[str, Any] = {
        "identity": Identity,
        "event": ContactEvent,
        "follower": Follower,
        "membership": GroupMembership,
        "tag": ContactTag,
        "attribute": ContactAttribute,
    }
    for key, model in models_by_key.items():
        ids = merge_record.moved.get(key, [])
        if ids:
            model.objects.filter(pk__in=ids).update(contact=merged)
    _restore(kept, merge_record.kept_before)
    kept.save()
    merged.merged_into = None
    merged.save(update_fields=["merged_into"])
    merge_record.undone_at = timezone.now()
    merge_record.save(update_fields=["undone_at"])
    record(
        "contacts.contact.unmerged",
        target=merged,
        data={"kept": str(kept.uid), "reason": merge_record.reason},
    )
    return merged


def attach_identity(contact: Contact, kind: str, value: str, channel_ref: str = "") -> Contact:
    """Add a platform identity to a contact; an identity someone else has means one person."""
    if kind == Identity.Kind.UNIONID:
        return attach_unionid(contact, value)
    existing = Identity.objects.filter(kind=kind, channel_ref=channel_ref, value=value).first()
    if existing is None:
        _get_or_create(
            Identity,
            kind=kind,
            channel_ref=channel_ref,
            value=value,
            defaults={"contact": contact},
        )
        return contact
    other = resolve(existing.contact)
    if other.pk == contact.pk:
        return contact
    return merge(keep=other, merge_away=contact, reason=kind)


EDITABLE_PROFILE_FIELDS = (
    "display_name",
    "nickname",
    "remark",
    "gender",
    "region",
    "language",
    "lifecycle_stage",
)


@transaction.atomic
def update_profile(contact: Contact, **fields: Any) -> Contact:
    """Change the operator-editable profile fields; unknown fields are a programming error."""
    unknown = set(fields) - set(EDITABLE_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if "lifecycle_stage" in fields and fields["lifecycle_stage"] not in Contact.Lifecycle.values:
        raise ValueError(_("Unknown lifecycle stage."))
    changed = {k: v for k, v in fields.items() if getattr(contact, k) != v}
    for name, value in changed.items():
        field = Contact._meta.get_field(name)
        max_length = getattr(field, "max_length", None)
        setattr(contact, name, str(value).strip()[:max_length] if max_length else value)
    if changed:
        contact.save(update_fields=list(changed))
        record("contacts.contact.updated", target=contact, data={"fields": sorted(changed)})
    return contact


def touch(contact: Contact, channel_ref: str, scene: str, at: datetime) -> None:
    """Attribution: the first touch is kept for good; the last touch follows the latest one."""
    changed = []
    if contact.first_touch_at is None:
        contact.first_touch_at, contact.first_touch_channel = at, channel_ref
        contact.first_touch_scene = scene[:128]
        changed += ["first_touch_at", "first_touch_channel", "first_touch_scene"]
    if contact.last_touch_at is None or at >= contact.last_touch_at:
        contact.last_touch_at, contact.last_touch_channel = at, channel_ref
        contact.last_touch_scene = scene[:128]
        changed += ["last_touch_at", "last_touch_channel", "last_touch_scene"]
    if changed:
        contact.save(update_fields=changed)


def add_timeline_event(
    contact: Contact,
    kind: str,
    *,
    channel_ref: str,
    occurred_at: datetime,
    source_key: str,
    data: dict[str, Any] | None = None,
) -> ContactEvent:
    """One timeline entry per `source_key`, however often the source event is processed."""
    return _get_or_create(  # type: ignore[no-any-return]
        ContactEvent,
        source_key=source_key[:300],
        defaults={
            "contact": contact,
            "kind": kind,
            "channel_ref": channel_ref,
            "occurred_at": occurred_at,
            "data": data or {},
        },
    )


# -- official accounts ---------------------------------------------------------------------


def _follower(account: OfficialAccount, openid: str, contact: Contact) -> Follower:
    return _get_or_create(  # type: ignore[no-any-return]
        Follower, account=account, openid=openid, defaults={"contact": contact}
    )


@transaction.atomic
def follow(
    account: OfficialAccount, openid: str, *, channel_ref: str, scene: str, at: datetime
) -> Contact:
    contact = contact_for_identity(Identity.Kind.OA_OPENID, openid, channel_ref)
    follower = _follower(account, openid, contact)
    latest_change = max(
        (t for t in (follower.subscribed_at, follower.unsubscribed_at) if t), default=None
    )
    if latest_change is None or at >= latest_change:
        follower.subscribed, follower.subscribed_at = True, at
        follower.unsubscribed_at = None
        follower.scene = scene[:128]
        follower.save()
    touch(contact, channel_ref, scene, at)
    if contact.followed_at is None or at >= contact.followed_at:
        contact.followed_at, contact.follow_scene = at, scene[:128]
        contact.save(update_fields=["followed_at", "follow_scene"])
    if contact.lifecycle_stage == Contact.Lifecycle.LAPSED:
        contact.lifecycle_stage = Contact.Lifecycle.NEW
        contact.save(update_fields=["lifecycle_stage"])
    return contact


@transaction.atomic
def unfollow(account: OfficialAccount, openid: str, *, channel_ref: str, at: datetime) -> Contact:
    contact = contact_for_identity(Identity.Kind.OA_OPENID, openid, channel_ref)
    follower = _follower(account, openid, contact)
    latest_change = max(
        (t for t in (follower.subscribed_at, follower.unsubscribed_at) if t), default=None
    )
    if latest_change is None or at >= latest_change:
        follower.subscribed, follower.unsubscribed_at = False, at
        follower.save()
    return contact


def set_location(
    contact: Contact, latitude: float | None, longitude: float | None, at: datetime
) -> None:
    if latitude is None or longitude is None:
        return
    if contact.last_location_at is None or at >= contact.last_location_at:
        contact.last_latitude, contact.last_longitude, contact.last_location_at = (
            latitude,
            longitude,
            at,
        )
        contact.save(update_fields=["last_latitude", "last_longitude", "last_location_at"])


# -- WeCom customer groups -----------------------------------------------------------------


# -- the rest of the write API, kept in modules of their own -------------------------------

from shequn.contacts.attributes import (  # noqa: E402
    AttributeValueError,
    age_in_months,
    clear_attribute,
    define_attribute,
    delete_attribute_definition,
    set_attribute,
    update_attribute_definition,
)
from shequn.contacts.auto_tags import (  # noqa: E402
    apply_group_join_rules,
    apply_keyword_rules,
    apply_scene_rules,
    create_auto_tag_rule,
    delete_auto_tag_rule,
)
from shequn.contacts.follower_sync import (  # noqa: E402
    import_follower,
    run_sync_step,
    start_follower_sync,
)
from shequn.contacts.groups import (  # noqa: E402
    apply_group_detail,
    group,
    group_dismissed,
    members_joined,
    members_left,
)
from shequn.contacts.tagging import (  # noqa: E402
    TagLimitError,
    create_tag,
    delete_tag,
    rename_tag,
    tag_contacts,
    untag_contacts,
)

__all__ = [
    "AttributeValueError",
    "TagLimitError",
    "UnmergeError",
    "add_timeline_event",
    "age_in_months",
    "apply_group_detail",
    "apply_group_join_rules",
    "apply_keyword_rules",
    "apply_scene_rules",
    "attach_identity",
    "attach_unionid",
    "clear_attribute",
    "contact_for_identity",
    "create_auto_tag_rule",
    "create_tag",
    "define_attribute",
    "delete_attribute_definition",
    "delete_auto_tag_rule",
    "delete_tag",
    "follow",
    "group",
    "group_dismissed",
    "import_follower",
    "members_joined",
    "members_left",
    "merge",
    "move_attribute_definition",
    "rename_tag",
    "resolve",
    "run_sync_step",
    "set_attribute",
    "set_auto_tag_rule_active",
    "start_follower_sync",
    "tag_contacts",
    "touch",
    "unfollow",
    "unmerge",
    "untag_contacts",
    "update_attribute_definition",
    "update_profile",
]


# -- small console writes --------------------------------------------------------------------


@transaction.atomic
def set_auto_tag_rule_active(rule: AutoTagRule, active: bool) -> AutoTagRule:
    """Pause or resume an auto-tag rule (a paused rule tags no one)."""
    if rule.is_active != active:
        rule.is_active = active
        rule.save(update_fields=["is_active"])
        record("contacts.auto_tag_rule.toggled", target=rule, data={"active": active})
    return rule


@transaction.atomic
def move_attribute_definition(definition: AttributeDefinition, offset: int) -> None:
    """Move a custom field up (offset < 0) or down in the order profiles and forms show them."""
    ordered = list(AttributeDefinition.objects.order_by("position", "id"))
    index = next(i for i, d in enumerate(ordered) if d.pk == definition.pk)
    target = max(0, min(len(ordered) - 1, index + offset))
    if target == index:
        return
    ordered.insert(target, ordered.pop(index))
    for position, item in enumerate(ordered):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])
    record("contacts.attribute.moved", target=definition, data={"position": target})
