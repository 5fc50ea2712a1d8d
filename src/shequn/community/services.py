"""Writes of community: pools and their groups, join ways, routing a customer to a pool's join
code, pre-join questionnaires, and inviting members on to the next pool.

Other apps call `route(contact, pool=..., candidates=...)` and `invitation_for(contact, pool)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.community import join_ways
from shequn.community.join_ways import PoolUnavailable, refresh_group, sync_pool
from shequn.community.models import WECOM_GROUP_CAP, GroupPool, JoinWay, PoolGroup, Questionnaire
from shequn.contacts import services as contact_services
from shequn.contacts.models import Contact, CustomerGroup
from shequn.jobs.tasks import enqueue_on_commit
from shequn.segments import queries as segment_queries
from shequn.tenancy.scope import require_tenant

QUESTIONNAIRE_SALT = "shequn.community.questionnaire"
POOL_FIELDS = (
    "name",
    "purpose",
    "segment",
    "priority",
    "ends_on",
    "next_pool",
    "group_welcome",
    "invite_text",
    "max_members",
    "room_base_name",
    "active",
)


class PoolInvalid(ValueError):
    """The pool's settings do not hold together (message is translated)."""


@dataclass(frozen=True)
class Invitation:
    """What a customer is handed to join a pool: the join way's QR code (an image URL)."""

    pool: GroupPool
    join_way: JoinWay
    qr_code: str
    url: str
    link_text: str


# -- pools -------------------------------------------------------------------------------------


def _check(pool: GroupPool) -> None:
    if not 2 <= pool.max_members <= WECOM_GROUP_CAP:
        raise PoolInvalid(_("A group holds between 2 and 500 members."))
    if pool.next_pool_id is not None and pool.next_pool_id == pool.pk:
        raise PoolInvalid(_("A pool cannot lead on to itself."))
    if pool.purpose == GroupPool.Purpose.FUNCTIONAL and pool.ends_on is None:
        raise PoolInvalid(_("A functional pool needs an end date."))
    if len(pool.room_base_name) > 40:
        raise PoolInvalid(_("The name of new groups is at most 40 characters."))


def _sync_welcome_after_commit(pool: GroupPool) -> None:
    """Create/edit/delete the pool's WeCom group welcome template once the save commits."""
    from shequn.community import tasks

    enqueue_on_commit(tasks.sync_group_welcome, pool.tenant_id, pool.pk)


@transaction.atomic
def create_pool(*, corp: Any, name: str, **fields: Any) -> GroupPool:
    pool = GroupPool(corp=corp, name=name)
    for key, value in fields.items():
        if key not in POOL_FIELDS:
            raise TypeError(f"unknown pool field {key}")
        setattr(pool, key, value)
    _check(pool)
    pool.save()
    record("community.pool.created", target=pool, data={"name": pool.name})
    if pool.group_welcome.strip():
        _sync_welcome_after_commit(pool)
    return pool


@transaction.atomic
def update_pool(pool: GroupPool, **fields: Any) -> GroupPool:
    changed = []
    for key, value in fields.items():
        if key not in POOL_FIELDS:
            raise TypeError(f"unknown pool field {key}")
        if getattr(pool, key) != value:
            setattr(pool, key, value)
            changed.append(key)
    _check(pool)
    if changed:
        # Only the changed fields: the welcome task writes the template id concurrently.
        pool.save(update_fields=changed)
        record("community.pool.updated", target=pool, data={"fields": sorted(changed)})
    if "group_welcome" in changed or (pool.group_welcome.strip() and pool.group_welcome_error):
        _sync_welcome_after_commit(pool)
    return pool


@transaction.atomic
def add_group_to_pool(pool: GroupPool, group: CustomerGroup) -> PoolGroup:
    """Put an existing customer group into the pool (raises PoolInvalid if it is in another)."""
    if group.corp_id != pool.corp_id:
        raise PoolInvalid(_("The group belongs to another WeCom corp."))
    other = PoolGroup.objects.filter(group=group).exclude(pool=pool).first()
    if other is not None:
        raise PoolInvalid(_("The group is already in the pool %s.") % other.pool.name)
    member = join_ways.add_group(pool, group)
    record("community.pool.group_added", target=pool, data={"chat_id": group.chat_id})
    return member


@transaction.atomic
def remove_group_from_pool(member: PoolGroup) -> None:
    pool, chat_id = member.pool, member.group.chat_id
    member.delete()
    record("community.pool.group_removed", target=pool, data={"chat_id": chat_id})


# -- routing -----------------------------------------------------------------------------------


def invitation_for(contact: Contact, pool: GroupPool) -> Invitation:
    """The pool's join code, pointed only at groups with room (the way is created or re-pointed
    first when needed). Raises PoolUnavailable when the pool cannot take anyone."""
    if not pool.active:
        raise PoolUnavailable(pool.name)
    way = join_ways.ensure_join_way(pool)
    return Invitation(
        pool=pool,
        join_way=way,
        qr_code=way.qr_code,
        url=way.qr_code,
        link_text=_("Scan the code to join the group “%(pool)s”.") % {"pool": pool.name},
    )


def refresh_join_way(pool: GroupPool) -> JoinWay:
    """Create the pool's join way or point it at the groups with room (raises PoolUnavailable)."""
    return join_ways.ensure_join_way(pool)


def _open_today(pool: GroupPool) -> bool:
    if not pool.active:
        return False
    if pool.ends_on is None:
        return True
    return pool.ends_on >= timezone.localdate(timezone=_zone())


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(require_tenant().time_zone)


def contains(pool: GroupPool, contact: Contact) -> bool:
    """Whether the contact is in the pool's segment now (a pool without a segment takes all)."""
    if pool.segment is None:
        return True
    members = segment_queries.member_contacts(pool.segment)
    return bool(members.filter(pk=contact.pk).exists())


def route(
    contact: Contact,
    *,
    pool: GroupPool | None = None,
    candidates: list[GroupPool] | None = None,
) -> Invitation | None:
    """The invitation for the explicit pool, else for the first open pool (by priority) among
    `candidates` (default: all) whose segment holds the contact; None when no pool can take
    them."""
    chosen: list[GroupPool]
    if pool is not None:
        chosen = [pool]
    else:
        found = candidates if candidates is not None else list(GroupPool.objects.all())
        chosen = [
            p
            for p in sorted(found, key=lambda p: (p.priority, p.pk))
            if _open_today(p) and contains(p, contact)
        ]
    for candidate in chosen:
        try:
            return invitation_for(contact, candidate)
        except PoolUnavailable:
            continue
    return None


# -- questionnaires ----------------------------------------------------------------------------


@transaction.atomic
def save_questionnaire(
    questionnaire: Questionnaire | None,
    *,
    name: str,
    title: str,
    question: str,
    attribute_key: str,
    pools: list[GroupPool],
    active: bool = True,
) -> Questionnaire:
    q = questionnaire or Questionnaire()
    q.name, q.title, q.question, q.attribute_key, q.active = (
        name,
        title,
        question,
        attribute_key,
        active,
    )
    q.save()
    q.pools.set(pools)
    record("community.questionnaire.saved", target=q, data={"name": name})
    return q


def questionnaire_token(contact: Contact, questionnaire: Questionnaire) -> str:
    return signing.dumps(
        {"w": require_tenant().pk, "c": contact.uid.hex, "q": questionnaire.uid.hex},
        salt=QUESTIONNAIRE_SALT,
        compress=True,
    )


def questionnaire_url(contact: Contact, questionnaire: Questionnaire | None = None) -> str | None:
    """The public page (no sign-in, signed link) where the contact answers the questionnaire and
    is shown the join code of the pool the answer routes to. The path; prefix your site's URL."""
    q = questionnaire or Questionnaire.objects.filter(active=True).order_by("pk").first()
    if q is None:
        return None
    return reverse(
        "community_public:questionnaire", kwargs={"token": questionnaire_token(contact, q)}
    )


def answer_questionnaire(
    questionnaire: Questionnaire, contact: Contact, value: Any
) -> Invitation | None:
    """Store the answer in the contact's attribute and route among the candidate pools
    (raises contacts' AttributeValueError for a value that does not fit)."""
    contact_services.set_attribute(contact, questionnaire.attribute_key, value)
    record(
        "community.questionnaire.answered", target=questionnaire, data={"contact": str(contact.uid)}
    )
    candidates = list(questionnaire.pools.all()) or None
    return route(contact, candidates=candidates)


from shequn.community.progression import invite_to_next_pools  # noqa: E402 - uses route()

__all__ = [
    "Invitation",
    "PoolInvalid",
    "PoolUnavailable",
    "add_group_to_pool",
    "answer_questionnaire",
    "contains",
    "create_pool",
    "invitation_for",
    "invite_to_next_pools",
    "questionnaire_token",
    "questionnaire_url",
    "refresh_group",
    "refresh_join_way",
    "remove_group_from_pool",
    "route",
    "save_questionnaire",
    "sync_pool",
    "update_pool",
]
