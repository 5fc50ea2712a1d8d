"""Template context of every page: the workspace, the sidebar, the switchers."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from shequn.console.navigation import AREAS, Area, area_for_url_name
from shequn.tenancy import queries
from shequn.tenancy.models import Membership


@dataclass(frozen=True)
class NavItem:
    area: Area
    url: str
    current: bool


@dataclass(frozen=True)
class SwitchTarget:
    name: str
    slug: str
    role: str
    url: str
    current: bool


def _nav(membership: Membership, current: Area | None) -> dict[str, list[NavItem]]:
    sections: dict[str, list[NavItem]] = {"main": [], "settings": []}
    slug = membership.workspace.slug
    for area in AREAS:
        if not membership.allows(area.permission):
            continue
        url = reverse(f"console:{area.route}", kwargs={"workspace": slug})
        sections[area.section].append(NavItem(area, url, current is not None and area == current))
    return sections


def _switcher(request: HttpRequest, current: Area | None) -> list[tuple[str, list[SwitchTarget]]]:
    """The user's workspaces by organisation; each link keeps the area the user is looking at."""
    here = getattr(request, "workspace", None)
    groups: list[tuple[str, list[SwitchTarget]]] = []
    memberships = queries.memberships_of(request.user)
    for org, members in groupby(memberships, key=lambda m: m.workspace.organization):
        targets = []
        for m in members:
            # Land on the overview where the other role may not open this area.
            area_key = current.route if current and m.allows(current.permission) else "overview"
            targets.append(
                SwitchTarget(
                    name=m.workspace.name,
                    slug=m.workspace.slug,
                    role=m.get_role_display(),
                    url=reverse(f"console:{area_key}", kwargs={"workspace": m.workspace.slug}),
                    current=here is not None and m.workspace.pk == here.pk,
                )
            )
        groups.append((org.name, targets))
    return groups


def console(request: HttpRequest) -> dict[str, Any]:
    membership: Membership | None = getattr(request, "membership", None)
    context: dict[str, Any] = {
        "workspace": getattr(request, "workspace", None),
        "membership": membership,
        "language_choices": [
            {"code": code, "name": name, "current": code == get_language()}
            for code, name in settings.LANGUAGES
        ],
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match and match.namespace == "console" else None
    current = area_for_url_name(url_name)
    context["current_area"] = current
    context["workspace_groups"] = _switcher(request, current)
    if membership is not None:
        context["nav"] = _nav(membership, current)
    return context
