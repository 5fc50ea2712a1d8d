"""Reads about organisations, workspaces and memberships."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from shequn.tenancy.models import Membership, Workspace


def membership_for_slug(user: Any, slug: str) -> Membership | None:
    return (
        Membership.objects.select_related("workspace", "workspace__organization")
        .filter(user=user, workspace__slug=slug, workspace__archived_at__isnull=True)
        .first()
    )


def memberships_of(user: Any) -> QuerySet[Membership]:
    return (
        Membership.objects.select_related("workspace", "workspace__organization")
        .filter(user=user, workspace__archived_at__isnull=True)
        .order_by("workspace__organization__name", "workspace__name")
    )


def members_of(workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.select_related("user").filter(workspace=workspace).order_by("created_at")
    )


def workspace_by_uid(uid: Any) -> Workspace | None:
    return Workspace.objects.filter(uid=uid, archived_at__isnull=True).first()
