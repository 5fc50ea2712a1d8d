"""The shell around every page: language, workspace switcher, time zones, no external assets."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from shequn.audit.services import record
from shequn.tenancy import services as tenancy_services
from shequn.tenancy.models import Organization
from shequn.tenancy.roles import Role
from shequn.tenancy.scope import tenant_scope

STATIC = Path(settings.BASE_DIR) / "console" / "static" / "console"


def _switch(client, language: str, next_url: str):
    return client.post("/accounts/language/", {"language": language, "next": next_url})


def test_language_switch_changes_the_page(world, client_for) -> None:
    client = client_for(world.a.operator)
    english = client.get("/w/sakura/overview/").content.decode()
    assert '<html lang="en">' in english
    assert ">Inbox<" in english

    response = _switch(client, "ja", "/w/sakura/overview/")
    assert response.status_code == 302
    assert response["Location"] == "/w/sakura/overview/"
    japanese = client.get("/w/sakura/overview/").content.decode()
    assert '<html lang="ja">' in japanese
    assert ">受信箱<" in japanese
    assert "メンバーを招待" not in japanese  # operators do not manage members
    assert "はじめに" in japanese

    _switch(client, "zh-hans", "/w/sakura/inbox/")
    chinese = client.get("/w/sakura/inbox/").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert ">收件箱<" in chinese
    assert "接入渠道后，与粉丝和客户的会话会显示在这里" in chinese


def test_language_form_posts_to_set_language_with_current_path(world, client_for) -> None:
    html = client_for(world.a.owner).get("/w/sakura/content/?x=1").content.decode()
    assert 'action="/accounts/language/"' in html
    assert 'name="next" value="/w/sakura/content/?x=1"' in html
    for code in ("en", "ja", "zh-hans"):
        assert f'name="language" value="{code}"' in html


def test_sign_in_page_in_chinese(db, client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get("/accounts/sign-in/").content.decode()
    assert "登录 Shequn" in html
    assert "邮箱地址" in html


def test_switcher_lists_only_the_users_workspaces(world, client_for) -> None:
    other_org = Organization.objects.create(name="Tea Holdings")
    third = tenancy_services.create_workspace(
        organization=other_org, name="Pu'er House", owner=world.b.owner, slug="puer"
    )
    tenancy_services.add_member(third, world.a.owner, Role.VIEWER)

    html = client_for(world.a.owner).get("/w/sakura/settings/audit/").content.decode()
    switcher = html.split('class="menu-panel menu-panel-start"')[1].split("</details>")[0]
    assert "Sakura Cosmetics" in switcher
    assert "Pu&#x27;er House" in switcher
    assert "Longjing Tea" not in switcher
    # Grouped by organisation.
    assert "Kawa Agency" in switcher
    assert "Tea Holdings" in switcher
    # Same area where the role there allows it, the overview where it does not.
    assert 'href="/w/sakura/settings/audit/" aria-current="true"' in switcher
    assert 'href="/w/puer/overview/"' in switcher


def test_switcher_keeps_the_area(world, client_for) -> None:
    tenancy_services.add_member(world.b.workspace, world.a.owner, Role.OPERATOR)
    html = client_for(world.a.owner).get("/w/sakura/community/").content.decode()
    assert 'href="/w/longjing/community/"' in html


def test_times_are_in_the_workspace_zone(world, client_for) -> None:
    ws = world.a.workspace
    ws.time_zone = "Asia/Tokyo"
    ws.save(update_fields=["time_zone"])
    with tenant_scope(ws):
        event = record("test.event")
    html = client_for(world.a.owner).get("/w/sakura/settings/audit/").content.decode()
    assert "JST" in html
    assert (
        event.occurred_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo")).isoformat()
        in html
    )

    b_html = client_for(world.b.owner).get("/w/longjing/settings/audit/").content.decode()
    assert "CST" in b_html
    assert "JST" not in b_html


def test_dates_follow_the_locale(world, client_for) -> None:
    client = client_for(world.a.owner)
    _switch(client, "ja", "/")
    html = client.get("/w/sakura/settings/members/").content.decode()
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", html)


EXTERNAL = re.compile(
    r"<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE
)


def test_no_external_assets_on_any_page(world, client_for, client) -> None:
    pages = [
        f"/w/sakura/{p}/"
        for p in (
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
            "settings/members",
            "settings/tokens",
            "settings/audit",
        )
    ]
    signed_in = client_for(world.a.owner)
    for url in pages:
        html = signed_in.get(url).content.decode()
        assert "/static/console/vendor/htmx.min.js" in html
        assert not EXTERNAL.search(html), url
    for url in ("/accounts/sign-in/", "/accounts/password-reset/"):
        html = client.get(url).content.decode()
        assert not EXTERNAL.search(html), url


def test_htmx_is_vendored_with_its_license() -> None:
    script = (STATIC / "vendor" / "htmx.min.js").read_text()
    assert 'version:"2.' in script
    assert "Zero-Clause BSD" in (STATIC / "vendor" / "htmx.LICENSE").read_text()


def test_accessible_shell(world, client_for) -> None:
    html = client_for(world.a.owner).get("/w/sakura/inbox/").content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    for landmark in ("<nav ", "<header ", "<aside "):
        assert landmark in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    # Sign-out is a POST form, never a link.
    assert re.search(r'<form method="post" action="/accounts/sign-out/">', html)
