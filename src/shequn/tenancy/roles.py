"""Roles in a workspace and what each may do. One table, read everywhere permissions are checked."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    OPERATOR = "operator", _("Operator")
    ANALYST = "analyst", _("Analyst")
    VIEWER = "viewer", _("Viewer")


class Permission(StrEnum):
    VIEW = "view"  # see the console and read data
    VIEW_ANALYTICS = "view_analytics"
    EXPORT_DATA = "export_data"
    OPERATE = "operate"  # answer customers, run groups, tag contacts
    MANAGE_CONTENT = "manage_content"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    MANAGE_CHANNELS = "manage_channels"  # connect official accounts, WeCom corps, pay merchants
    MANAGE_MEMBERS = "manage_members"
    MANAGE_TOKENS = "manage_tokens"
    VIEW_AUDIT = "view_audit"
    MANAGE_BILLING = "manage_billing"
    DELETE_WORKSPACE = "delete_workspace"


_P = Permission
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.VIEWER: frozenset({_P.VIEW}),
    Role.ANALYST: frozenset({_P.VIEW, _P.VIEW_ANALYTICS, _P.EXPORT_DATA}),
    Role.OPERATOR: frozenset(
        {_P.VIEW, _P.VIEW_ANALYTICS, _P.OPERATE, _P.MANAGE_CONTENT, _P.MANAGE_CAMPAIGNS}
    ),
    Role.ADMIN: frozenset(
        {
            _P.VIEW,
            _P.VIEW_ANALYTICS,
            _P.EXPORT_DATA,
            _P.OPERATE,
            _P.MANAGE_CONTENT,
            _P.MANAGE_CAMPAIGNS,
            _P.MANAGE_CHANNELS,
            _P.MANAGE_MEMBERS,
            _P.MANAGE_TOKENS,
            _P.VIEW_AUDIT,
        }
    ),
    Role.OWNER: frozenset(Permission),
}

# Roles a member may hand out: never one above their own.
ROLE_RANK = {Role.VIEWER: 0, Role.ANALYST: 1, Role.OPERATOR: 2, Role.ADMIN: 3, Role.OWNER: 4}


def role_allows(role: str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())
