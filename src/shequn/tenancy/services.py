"""Writes on organisations, workspaces and memberships."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.tenancy.models import Membership, Organization, Workspace
from shequn.tenancy.roles import ROLE_RANK, Role
from shequn.tenancy.scope import tenant_scope


class MembershipError(ValueError):
    """A membership change that would break the workspace (e.g. removing its last owner)."""


def create_organization(*, name: str, kind: str = Organization.Kind.COMPANY) -> Organization:
    return Organization.objects.create(name=name, kind=kind)


@transaction.atomic
def create_workspace(
    *,
    organization: Organization,
    name: str,
    owner: Any,
    slug: str | None = None,
    time_zone: str = "Asia/Shanghai",
    default_language: str = "zh-hans",
) -> Workspace:
    base = slug or slugify(name) or "workspace"
    candidate, n = base, 1
    while Workspace.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    workspace = Workspace(
        organization=organization,
        name=name,
        slug=candidate,
        time_zone=time_zone,
        default_language=default_language,
    )
    workspace.full_clean()
    workspace.save()
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    with tenant_scope(workspace):
        record("workspace.created", target=workspace, data={"name": name})
    return workspace


def _check_can_grant(actor_membership: Membership | None, role: str) -> None:
    if (
        actor_membership is not None
        and ROLE_RANK[Role(role)] > ROLE_RANK[Role(actor_membership.role)]
    ):
        raise MembershipError(_("You cannot grant a role above your own."))


@transaction.atomic
def add_member(
    workspace: Workspace, user: Any, role: str, *, by: Membership | None = None
) -> Membership:
    _check_can_grant(by, role)
    membership, created = Membership.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    with tenant_scope(workspace):
        record("member.added", target=membership, data={"user": user.email, "role": role})
    return membership


@transaction.atomic
def change_role(membership: Membership, role: str, *, by: Membership | None = None) -> Membership:
    _check_can_grant(by, role)
    if membership.role == Role.OWNER and role != Role.OWNER:
        _ensure_another_owner(membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    with tenant_scope(membership.workspace):
        record("member.role_changed", target=membership, data={"from": old, "to": role})
    return membership


@transaction.atomic
def remove_member(membership: Membership) -> None:
    if membership.role == Role.OWNER:
        _ensure_another_owner(membership)
    with tenant_scope(membership.workspace):
        record("member.removed", target=membership, data={"user": membership.user.email})
    membership.delete()


def _ensure_another_owner(membership: Membership) -> None:
    others = (
        Membership.objects.select_for_update()
        .filter(workspace=membership.workspace, role=Role.OWNER)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise MembershipError(_("A workspace needs at least one owner."))
