"""The console's areas: one table read by the sidebar, the workspace switcher and the URL conf."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shequn.tenancy.roles import Permission


@dataclass(frozen=True)
class Area:
    key: str  # also the URL name in the console namespace
    label: str | Promise
    icon: str  # file name (without .svg) in static/console/icons/
    permission: Permission
    section: str = "main"
    # The URL name of the area's first page when it is not the key itself.
    url_name: str = ""

    @property
    def route(self) -> str:
        return self.url_name or self.key


AREAS: tuple[Area, ...] = (
    Area("overview", _("Overview"), "overview", Permission.VIEW),
    Area("inbox", _("Inbox"), "inbox", Permission.VIEW),
    Area("contacts", _("Contacts"), "contacts", Permission.VIEW),
    Area("segments", _("Segments"), "contacts", Permission.VIEW),
    Area("imports", _("Import"), "content", Permission.VIEW),
    Area("privacy", _("Privacy"), "audit", Permission.EXPORT_DATA, url_name="privacy_requests"),
    Area("content", _("Content"), "content", Permission.VIEW),
    Area("livecodes", _("Live codes"), "growth", Permission.VIEW),
    Area("personas", _("Personas"), "community", Permission.VIEW),
    Area("community", _("Community"), "community", Permission.VIEW),
    Area("rewards", _("Rewards"), "growth", Permission.VIEW),
    Area("analytics", _("Analytics"), "analytics", Permission.VIEW_ANALYTICS),
    Area("channels", _("Channels"), "channels", Permission.VIEW),
    Area("members", _("Members"), "members", Permission.MANAGE_MEMBERS, section="settings"),
    Area("tokens", _("API tokens"), "tokens", Permission.MANAGE_TOKENS, section="settings"),
    Area("audit", _("Audit log"), "audit", Permission.VIEW_AUDIT, section="settings"),
)
AREAS_BY_KEY: dict[str, Area] = {area.key: area for area in AREAS}

# URL names under the console namespace that belong to an area without being its first page.
SUBPAGE_AREA: dict[str, str] = {
    "members_invite": "members",
    "members_role": "members",
    "members_remove": "members",
    "invitation_revoke": "members",
    "tokens_revoke": "tokens",
}


def area_for_url_name(url_name: str | None) -> Area | None:
    if not url_name:
        return None
    return AREAS_BY_KEY.get(SUBPAGE_AREA.get(url_name, url_name.split("_")[0]))
