"""Walk every URL of the product as tenant B and try to reach tenant A's objects.

Tenant A gets one object of every tenant-scoped model (built through services, registered in
FACTORIES). Every URL pattern from the root resolver is filled with A's slug and A's uids and
requested first as A's owner, which proves the URLs really reach A's objects and tells which
filled URLs find one; those are then requested with GET and POST as B's owner (session) and with
B's admin API token. Each answer must be a refusal (404/403/405, or 401/302-to-sign-in for "not
signed in here") and must not contain A's data. The routes are walked in shards, one test each.

A new route is walked automatically; a route whose parameters cannot be filled, or one that
takes no tenant parameter and is not listed below with a reason, fails the walk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from shequn.accounts import services as account_services
from shequn.audit import services as audit_services
from shequn.core.actors import Actor, acting_as
from shequn.tenancy.models import Membership, TenantScopedModel
from shequn.tenancy.roles import Role
from tests.conftest import Tenant, World

# ---------------------------------------------------------------------------------------------
# One factory per tenant-scoped model ("app_label.model"). Register new models here.
# A factory builds one object in the tenant, as its owner, through the product's services.


@dataclass
class Built:
    obj: TenantScopedModel
    secrets: list[str] = field(default_factory=list)  # values that must never reach B


Factory = Callable[[Tenant], Built]


def _audit_event(t: Tenant) -> Built:
    event = audit_services.record("walk.probe", data={"marker": "sakura-audit-marker"})
    return Built(event, ["sakura-audit-marker"])


def _invitation(t: Tenant) -> Built:
    owner_membership = Membership.objects.get(workspace=t.workspace, user=t.owner)
    invitation, link = account_services.invite(
        "invitee@sakura.example.com", Role.VIEWER, by=owner_membership
    )
    return Built(invitation, [invitation.email, link.rstrip("/").rsplit("/", 1)[-1]])


def _api_token(t: Tenant) -> Built:
    token, raw = account_services.issue_api_token("sakura-walk-token", ["admin"], by=t.owner)
    return Built(token, [raw, "sakura-walk-token"])


FACTORIES: dict[str, Factory] = {
    "audit.auditevent": _audit_event,
    "accounts.invitation": _invitation,
    "accounts.apitoken": _api_token,
}

from tests.channels import walk_factories  # noqa: E402 - channels, ingest and contacts models

FACTORIES.update(walk_factories.factories(Built))

from tests.inbox import walk_factories as inbox_walk_factories  # noqa: E402 - inbox models

FACTORIES.update(inbox_walk_factories.factories(Built))

from tests.contacts import walk_factories as contacts_walk_factories  # noqa: E402 - tags, attributes

FACTORIES.update(contacts_walk_factories.factories(Built))

from tests.privacy import walk_factories as privacy_walk_factories  # noqa: E402 - consent, requests

FACTORIES.update(privacy_walk_factories.factories(Built))

from tests.imports import walk_factories as imports_walk_factories  # noqa: E402 - import jobs

FACTORIES.update(imports_walk_factories.factories(Built))

from tests.segments import walk_factories as segments_walk_factories  # noqa: E402

FACTORIES.update(segments_walk_factories.factories(Built))

from tests.livecodes import walk_factories as livecodes_walk_factories  # noqa: E402

FACTORIES.update(livecodes_walk_factories.factories(Built))

from tests.personas import walk_factories as personas_walk_factories  # noqa: E402 - staff

FACTORIES.update(personas_walk_factories.factories(Built))

from tests.community import walk_factories as community_walk_factories  # noqa: E402 - pools

FACTORIES.update(community_walk_factories.factories(Built))

from tests.rewards import walk_factories as rewards_walk_factories  # noqa: E402 - ledger

FACTORIES.update(rewards_walk_factories.factories(Built))

# ---------------------------------------------------------------------------------------------
# Routes that take no tenant parameter, by "namespace:name", with the reason they are safe.
# They are still requested as B, and must not show A's data.

NO_TENANT_PARAMETER: dict[str, str] = {
    "accounts:login": "sign-in page; no tenant data",
    "accounts:logout": "signs the caller out; no tenant data",
    "accounts:set_language": "stores the caller's own language",
    "accounts:password_reset": "asks for an e-mail address; answers the same for any address",
    "accounts:password_reset_done": "static confirmation page",
    "accounts:password_reset_confirm": "user-level (not tenant) link signed for one user",
    "accounts:password_reset_complete": "static confirmation page",
    "accounts:accept_invitation": "capability link: the secret token is the authorisation; "
    "the walk fills a wrong token and expects 404",
    "console:home": "lists the caller's own workspaces",
    "api:openapi-json": "the API's schema; no tenant data",
    "api:api-root": "API root; answers 404 in the error format",
    "api:not_found": "catch-all: unknown API paths answer 404",
    "livecodes_public:landing": "public landing page of a live code: the random token is the "
    "capability; the walk fills a wrong token and expects 404",
    "livecodes_public:qr": "the landing page's QR image, by the same token",
    "community_public:questionnaire": "public questionnaire: the signed token names the "
    "workspace and contact; the walk fills a wrong token and expects 404",
}


def _is_token_scoped_api(name: str, params: list[str]) -> bool:
    """API routes without path parameters act on the token's own workspace: B's token reads B."""
    return name.startswith("api:") and not params


# ---------------------------------------------------------------------------------------------


@dataclass
class Route:
    name: str
    segments: list[Any]

    @property
    def params(self) -> list[tuple[str, str]]:
        """(converter type, name) for each path parameter."""
        found: list[tuple[str, str]] = []
        for segment in self.segments:
            if isinstance(segment, RoutePattern):
                for conv, name in re.findall(r"<(?:(\w+):)?(\w+)>", str(segment)):
                    found.append((conv or "str", name))
            elif re.search(r"\(\?P<", str(segment)):
                found.append(("regex", str(segment)))
        return found

    def fill(self, values: dict[str, str]) -> str:
        out = "/"
        for segment in self.segments:
            if isinstance(segment, RoutePattern):
                out += re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[str(m.group(1))], str(segment))
            else:
                # Only the API's catch-all is a regex today; a concrete unknown path stands in.
                out += "walk-unknown-path"
        return out


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns: list[Any], prefix: list[Any], namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, [*prefix, p.pattern], ns)
            elif isinstance(p, URLPattern):
                name = ":".join(filter(None, [namespace, p.name or p.lookup_str]))
                routes.append(Route(name=name, segments=[*prefix, p.pattern]))

    walk(get_resolver().url_patterns, [], "")
    return routes


@dataclass
class AWorld:
    tenant: Tenant
    built: dict[str, Built]
    memberships: list[Membership]

    def uids(self) -> list[str]:
        uids = [str(b.obj.uid) for b in self.built.values()]
        uids += [str(m.uid) for m in self.memberships]
        return [*uids, str(self.tenant.workspace.uid)]

    def markers(self) -> list[str]:
        marks = [*self.uids(), self.tenant.workspace.name, "owner@sakura.example.com"]
        for b in self.built.values():
            marks += b.secrets
        return marks


def _fillers(a: AWorld) -> dict[str, Callable[[str], list[str]]]:
    """Values for a path parameter, by name (or by converter for uuid)."""
    slug = a.tenant.workspace.slug
    return {
        "workspace": lambda conv: [slug],
        "ws_slug": lambda conv: [slug],
        "uid": lambda conv: a.uids(),
        "token": lambda conv: ["walk-wrong-token"],
        "uidb64": lambda conv: ["MQ"],
        "callback_key": lambda conv: walk_factories.callback_keys(a.tenant),
        "kind": lambda conv: ["oa", "wecom"],
    }


def variants(route: Route, a: AWorld) -> list[str]:
    fillers = _fillers(a)
    options: list[list[tuple[str, str]]] = []
    for conv, name in route.params:
        if conv == "regex":
            continue
        if name in fillers:
            values = fillers[name](conv)
        elif conv == "uuid":
            values = a.uids()
        else:
            raise AssertionError(
                f"{route.name}: no value for path parameter <{conv}:{name}>; add a filler in "
                "tests/test_tenant_isolation_walk.py"
            )
        options.append([(name, v) for v in values])
    return [route.fill(dict(combo)) for combo in product(*options)]


@pytest.fixture(autouse=True)
def _walk_not_throttled(settings: Any) -> None:
    """The walk sends thousands of API requests within a minute with one token."""
    settings.SHEQUN_API_RATE = "1000000/m"


@pytest.fixture
def a_world(world: World) -> AWorld:
    owner = world.a.owner
    built: dict[str, Built] = {}
    with world.a.scope(), acting_as(Actor(kind="user", label=owner.email, user_id=owner.pk)):
        for label, factory in FACTORIES.items():
            built[label] = factory(world.a)
    memberships = list(Membership.objects.filter(workspace=world.a.workspace))
    return AWorld(tenant=world.a, built=built, memberships=memberships)


def _tenant_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, TenantScopedModel)]


def test_every_tenant_scoped_model_has_a_factory() -> None:
    missing = sorted(m._meta.label_lower for m in _tenant_models())
    missing = [label for label in missing if label not in FACTORIES]
    assert not missing, f"register a factory in FACTORIES for: {missing}"


def test_exemptions_name_real_routes() -> None:
    names = {r.name for r in all_routes()}
    assert not set(NO_TENANT_PARAMETER) - names, "stale exemptions"


def test_every_route_takes_a_tenant_parameter_or_is_exempt_with_a_reason() -> None:
    unexplained = []
    for route in all_routes():
        params = [name for conv, name in route.params if conv != "regex"]
        tenant_params = [p for p in params if p not in {"token", "uidb64"}]
        if tenant_params or _is_token_scoped_api(route.name, params):
            continue
        if not NO_TENANT_PARAMETER.get(route.name):
            unexplained.append(route.name)
    assert not unexplained, f"routes without a tenant parameter need a reason: {unexplained}"


# The walk is split into shards so the parallel test runner spreads it over its workers.
SHARDS = 8


def _shard(index: int) -> list[Route]:
    return all_routes()[index::SHARDS]


def _refused(response: Any, sign_in: str | None) -> bool:
    """A refusal; `sign_in` is given when the caller is not signed in to the console."""
    if response.status_code in {401, 403, 404, 405}:
        return True
    if response.status_code == 422 and "application/json" in response.get("Content-Type", ""):
        # The API validates a request body before the handler looks anything up: the walk's
        # empty POST gets the same 422 for A's uid as for one that does not exist.
        return True
    return (
        sign_in is not None
        and response.status_code == 302
        and response["Location"].startswith(sign_in)
    )


def _body(response: Any) -> str:
    content = getattr(response, "content", b"")
    return content.decode(errors="replace") if isinstance(content, bytes) else ""


def _clients(t: Tenant, label: str) -> tuple[Client, Client]:
    with t.scope(), acting_as(Actor(kind="user", label=t.owner.email, user_id=t.owner.pk)):
        _, raw = account_services.issue_api_token(label, ["admin"], by=t.owner)
    session = Client(raise_request_exception=False)
    session.force_login(t.owner)
    bearer = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {raw}"})
    return session, bearer


def _found(status: int) -> bool:
    return status != 404 and status < 500


def _owner_pass(
    world: World, a_world: AWorld, routes: list[Route]
) -> tuple[dict[str, list[str]], list[str]]:
    """A's owner requests every variant of every route with A's session or token.

    Returns, per route, the URLs worth walking as B (those that found one of A's objects, or all
    of them when GET is not how the route is used), and the tenant routes A could not reach.
    """
    session, bearer = _clients(world.a, "a-admin")
    worth: dict[str, list[str]] = {}
    unreached: list[str] = []
    for route in routes:
        params = [name for conv, name in route.params if conv != "regex"]
        urls = variants(route, a_world)
        exempt = route.name in NO_TENANT_PARAMETER or _is_token_scoped_api(route.name, params)
        if exempt:
            worth[route.name] = urls
            continue
        client = bearer if route.name.startswith("api:") else session
        statuses = [client.get(url).status_code for url in urls]
        if not any(_found(s) for s in statuses):
            unreached.append(f"{route.name}: {statuses}")
        if all(s == 405 for s in statuses):
            worth[route.name] = urls  # POST-only: B tries every object with POST
        else:
            worth[route.name] = [u for u, s in zip(urls, statuses, strict=True) if _found(s)]
    return worth, unreached


@pytest.mark.parametrize("shard", range(SHARDS))
def test_tenants_reach_their_own_objects_and_never_each_others(
    world: World, a_world: AWorld, shard: int
) -> None:
    """The walk is real (A's owner finds A's objects on each tenant route), and B never does.

    B's owner (session) and B's admin token send GET and POST to every URL where A's owner found
    one of A's objects; each must be refused and show none of A's data.
    """
    routes = _shard(shard)
    worth, unreached = _owner_pass(world, a_world, routes)
    assert not unreached, "routes that A's owner cannot reach either:\n" + "\n".join(unreached)

    b = world.b
    session, bearer = _clients(b, "b-admin")
    sign_in = reverse("accounts:login")
    markers = a_world.markers()
    failures: list[str] = []
    walked = 0
    for route in routes:
        params = [name for conv, name in route.params if conv != "regex"]
        must_refuse = route.name not in NO_TENANT_PARAMETER and not _is_token_scoped_api(
            route.name, params
        )
        for url in worth[route.name]:
            for who, client in (("B owner (session)", session), ("B admin token", bearer)):
                for method in ("GET", "POST"):
                    walked += 1
                    if client is session and "_auth_user_id" not in session.session:
                        session.force_login(b.owner)  # POST to sign-out ends the session
                    response = client.generic(method, url)
                    status = response.status_code
                    where = f"{method} {url} as {who} [{route.name}] -> {status}"
                    if status >= 500:
                        failures.append(f"{where}: server error")
                    elif must_refuse and not _refused(
                        response, None if client is session else sign_in
                    ):
                        failures.append(f"{where}: not refused")
                    leaked = [m for m in markers if m in _body(response)]
                    if leaked:
                        failures.append(f"{where}: shows A's data {leaked}")
    assert walked > 20
    assert not failures, "\n".join(failures)
