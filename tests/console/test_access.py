"""Who sees which console page: by role in tenant A, and never across tenants."""

from __future__ import annotations

import pytest
from django.test import Client

from shequn.tenancy import services as tenancy_services
from shequn.tenancy.roles import Role
from tests.factories.tenancy import make_user

AREAS = [
    "overview",
    "inbox",
    "contacts",
    "content",
    "livecodes",
    "personas",
    "community",
    "rewards",
    "analytics",
    "channels",
]
SETTINGS = ["settings/members", "settings/tokens", "settings/audit"]
# What each role in the fixture world may not open.
FORBIDDEN = {
    "owner": set(),
    "operator": {"settings/members", "settings/tokens", "settings/audit"},
    "viewer": {"analytics", "settings/members", "settings/tokens", "settings/audit"},
}


def _who(world, role):
    return {"owner": world.a.owner, "operator": world.a.operator, "viewer": world.a.viewer}[role]


@pytest.mark.parametrize("role", ["owner", "operator", "viewer"])
@pytest.mark.parametrize("page", AREAS + SETTINGS)
def test_area_pages_by_role(world, client_for, role, page) -> None:
    response = client_for(_who(world, role)).get(f"/w/sakura/{page}/")
    if page in FORBIDDEN[role]:
        assert response.status_code == 403
        assert b"You do not have access to this page" in response.content
    else:
        assert response.status_code == 200
        assert b"Sakura Cosmetics" in response.content


def test_empty_state_says_what_will_be_there(world, client_for) -> None:
    response = client_for(world.a.viewer).get("/w/sakura/inbox/")
    assert b"Conversations with your followers and customers appear here" in response.content


def test_sidebar_hides_what_the_role_cannot_open(world, client_for) -> None:
    html = client_for(world.a.viewer).get("/w/sakura/overview/").content.decode()
    assert 'href="/w/sakura/inbox/"' in html
    assert 'href="/w/sakura/settings/members/"' not in html
    assert 'href="/w/sakura/analytics/"' not in html
    owner_html = client_for(world.a.owner).get("/w/sakura/contacts/").content.decode()
    assert 'href="/w/sakura/contacts/" aria-current="page"' in owner_html
    assert 'href="/w/sakura/settings/audit/"' in owner_html


@pytest.mark.parametrize("page", ["overview", "inbox", "settings/members", "settings/audit"])
def test_members_of_b_get_404_for_a(world, client_for, page) -> None:
    for who in (world.b.owner, world.b.operator, world.b.viewer):
        assert client_for(who).get(f"/w/sakura/{page}/").status_code == 404


def test_a_workspace_that_does_not_exist_is_404(world, client_for) -> None:
    assert client_for(world.a.owner).get("/w/nowhere/overview/").status_code == 404


def test_anonymous_is_sent_to_sign_in(world) -> None:
    response = Client().get("/w/sakura/inbox/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/?next=/w/sakura/inbox/")


def test_root_goes_to_the_first_workspace(world, client_for) -> None:
    response = client_for(world.a.viewer).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/w/sakura/overview/"


def test_root_without_workspace_explains(db) -> None:
    client = Client()
    client.force_login(make_user("lonely@example.com"))
    response = client.get("/")
    assert response.status_code == 200
    assert b"No workspace yet" in response.content


def test_removed_member_loses_access(world, client_for) -> None:
    client = client_for(world.a.operator)
    assert client.get("/w/sakura/inbox/").status_code == 200
    tenancy_services.change_role(world.a.operator, Role.VIEWER)
    assert client.get("/w/sakura/analytics/").status_code == 403
    tenancy_services.remove_member(world.a.operator)
    assert client.get("/w/sakura/inbox/").status_code == 404
