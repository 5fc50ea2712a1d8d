"""The REST API at /api/v1: token auth, one error format, cursor pagination, OpenAPI document.

No interactive docs page: ninja's loads its assets from a CDN. The OpenAPI document is at
/api/v1/openapi.json.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path
from ninja import NinjaAPI

from shequn.api.auth import TokenAuth, in_token_context
from shequn.api.errors import install_error_handlers, json_errors, not_found_view
from shequn.api.routers import audit, members, tokens, workspace
from shequn.api.throttling import TokenRateThrottle
from shequn.channels import api as channels_api
from shequn.community import api as community_api
from shequn.contacts import api as contacts_api
from shequn.imports import api as imports_api
from shequn.inbox import api as inbox_api
from shequn.livecodes import api as livecodes_api
from shequn.personas import api as personas_api
from shequn.privacy import api as privacy_api
from shequn.rewards import api as rewards_api
from shequn.segments import api as segments_api

api = NinjaAPI(
    title="Shequn API",
    version="1",
    description="Workspace API. Authenticate with `Authorization: Bearer shq_...`.",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=TokenAuth(),
    throttle=[TokenRateThrottle()],
)
install_error_handlers(api)
api.add_decorator(in_token_context, mode="operation")

for area in (
    workspace,
    members,
    audit,
    tokens,
    channels_api,
    contacts_api,
    inbox_api,
    segments_api,
    privacy_api,
    imports_api,
    personas_api,
    livecodes_api,
    community_api,
    rewards_api,
):
    api.add_router("", area.router)


def _wrap(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = json_errors(pattern.callback)
    return patterns


_ninja_patterns, _app_name, _namespace = api.urls
_patterns = [*_wrap(list(_ninja_patterns)), re_path(r"^.*$", not_found_view, name="not_found")]
urlpatterns = [path("", (_patterns, _app_name, _namespace))]
