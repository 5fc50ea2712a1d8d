"""Console URLs. Workspace pages live under /w/<workspace>/: the tenancy middleware scopes on it."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from shequn.console.views import areas, audit, home, members, tokens

app_name = "console"

workspace_patterns: list[URLPattern | URLResolver] = [
    path("", home.workspace_home, name="workspace_home"),
    path("overview/", home.overview, name="overview"),
    path("inbox/", include("shequn.inbox.urls")),
    path("contacts/", include("shequn.contacts.urls")),
    path("privacy/", include("shequn.privacy.urls")),
    path("imports/", include("shequn.imports.urls")),
    path("segments/", include("shequn.segments.urls")),
    path("content/", areas.content, name="content"),
    path("personas/", include("shequn.personas.urls")),
    path("livecodes/", include("shequn.livecodes.urls")),
    path("community/", include("shequn.community.urls")),
    path("rewards/", include("shequn.rewards.urls")),
    path("analytics/", areas.analytics, name="analytics"),
    path("channels/", include("shequn.channels.urls")),
    path("settings/members/", members.members, name="members"),
    path("settings/members/invite/", members.invite, name="members_invite"),
    path("settings/members/<uuid:uid>/role/", members.change_role, name="members_role"),
    path("settings/members/<uuid:uid>/remove/", members.remove, name="members_remove"),
    path(
        "settings/invitations/<uuid:uid>/revoke/",
        members.revoke_invitation,
        name="invitation_revoke",
    ),
    path("settings/tokens/", tokens.tokens, name="tokens"),
    path("settings/tokens/<uuid:uid>/revoke/", tokens.revoke, name="tokens_revoke"),
    path("settings/audit/", audit.audit, name="audit"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("w/<slug:workspace>/", include(workspace_patterns)),
]
