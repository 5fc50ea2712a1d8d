"""Channel pages in the console: who sees and changes what, tenant B never sees A's channels,
secrets never come back, the verification banner, test, pause/resume, events and replay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from shequn.audit.models import AuditEvent
from shequn.channels import services
from shequn.channels.models import OfficialAccount, PayMerchant
from shequn.ingest.models import InboundEvent
from tests.channels.factories import OA_AES_KEY, OA_TOKEN, make_official_account
from tests.conftest import Tenant, World
from tests.ingest import wire
from tests.ingest.conftest import as_owner

pytestmark = pytest.mark.django_db

LIST = "/w/sakura/channels/"


def signed_in(who: Any) -> Client:
    client = Client()
    client.force_login(getattr(who, "user", who))
    return client


def oa_of(t: Tenant, **overrides: Any) -> OfficialAccount:
    with t.scope(), as_owner(t):
        return make_official_account(**overrides)


def detail_url(channel: Any, slug: str = "sakura") -> str:
    return f"/w/{slug}/channels/{channel.uid}/"


def test_list_shows_this_workspace_only_and_connect_buttons_to_managers(world: World) -> None:
    oa_of(world.a, name="Sakura Beauty OA")
    oa_of(world.b, name="Longjing Tea OA", appid="wx00000000000000b1")
    owner_page = signed_in(world.a.owner).get(LIST).content.decode()
    assert "Sakura Beauty OA" in owner_page
    assert "Longjing Tea OA" not in owner_page
    assert "/w/sakura/channels/connect/pay/" in owner_page
    for member in (world.a.operator, world.a.viewer):
        page = signed_in(member).get(LIST)
        assert page.status_code == 200
        assert "Sakura Beauty OA" in page.content.decode()
        assert "/channels/connect/" not in page.content.decode()


def test_verification_banner_within_30_days_only(world: World) -> None:
    today = timezone.localdate()
    oa_of(world.a, name="Lapsing OA", verified=True, verified_until=today + timedelta(days=10))
    oa_of(
        world.a,
        name="Fine OA",
        appid="wx00000000000000a2",
        verified=True,
        verified_until=today + timedelta(days=200),
    )
    page = signed_in(world.a.viewer).get(LIST).content.decode()
    assert "The WeChat verification of Lapsing OA ends on" in page
    assert "The WeChat verification of Fine OA" not in page
    other = signed_in(world.b.owner).get("/w/longjing/channels/").content.decode()
    assert "Lapsing OA" not in other


def test_owner_connects_an_official_account_and_secrets_never_come_back(world: World) -> None:
    client = signed_in(world.a.owner)
    response = client.post(
        "/w/sakura/channels/connect/oa/",
        {
            "name": "Sakura OA",
            "appid": "wx0000000000000c01",
            "account_kind": "service",
            "encryption_mode": "safe",
            "secret": "app-secret-never-shown",
            "token": OA_TOKEN,
            "encoding_aes_key": OA_AES_KEY,
            "api_base_url": "https://api.weixin.qq.com",
        },
    )
    assert response.status_code == 302
    with world.a.scope():
        account = OfficialAccount.objects.get()
    assert response["Location"] == detail_url(account)
    page = client.get(response["Location"]).content.decode()
    assert f"/cb/oa/{account.callback_key}/" in page
    for secret in ("app-secret-never-shown", OA_TOKEN, OA_AES_KEY):
        assert secret not in page
    audit = AuditEvent.objects.for_tenant(world.a.workspace).get(
        action="channels.official_account.connected"
    )
    assert "app-secret-never-shown" not in str(audit.data)


def test_a_bad_key_is_shown_on_the_form_and_nothing_is_saved(world: World) -> None:
    response = signed_in(world.a.owner).post(
        "/w/sakura/channels/connect/oa/",
        {
            "name": "Sakura OA",
            "appid": "wx0000000000000c01",
            "account_kind": "service",
            "encryption_mode": "safe",
            "secret": "s",
            "token": "t",
            "encoding_aes_key": "too-short",
            "api_base_url": "https://api.weixin.qq.com",
        },
    )
    assert response.status_code == 400
    assert "The EncodingAESKey must be 43 letters and digits." in response.content.decode()
    with world.a.scope():
        assert not OfficialAccount.objects.exists()


PAY_FORM = {
    "name": "Sakura Pay",
    "mchid": "1900000109",
    "serial_no": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQ-private\n-----END PRIVATE KEY-----\n",
    "api_v3_key": "0123456789abcdefghijklmnopqrstuv",
    "platform_key_mode": "public_key",
    "platform_key_id": "PUB_KEY_ID_0114232134912410000000000000",
    "platform_key_pem": "-----BEGIN PUBLIC KEY-----\nMIIBIj\n-----END PUBLIC KEY-----\n",
    "api_base_url": "https://api.mch.weixin.qq.com",
}


def test_owner_connects_a_pay_merchant(world: World) -> None:
    client = signed_in(world.a.owner)
    assert "APIv3 key" in client.get("/w/sakura/channels/connect/pay/").content.decode()
    response = client.post("/w/sakura/channels/connect/pay/", PAY_FORM)
    assert response.status_code == 302
    with world.a.scope():
        merchant = PayMerchant.objects.get()
    assert merchant.mchid == "1900000109"
    assert merchant.api_v3_key.reveal() == PAY_FORM["api_v3_key"]
    assert merchant.private_key.reveal().startswith("-----BEGIN PRIVATE KEY-----")
    page = client.get(response["Location"]).content.decode()
    assert f"/cb/pay/{merchant.callback_key}/" in page
    assert "MIIEvQ-private" not in page


def test_pay_form_errors_never_echo_the_private_key(world: World) -> None:
    response = signed_in(world.a.owner).post(
        "/w/sakura/channels/connect/pay/",
        {**PAY_FORM, "api_v3_key": "short", "platform_key_id": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The APIv3 key is 32 characters long." in html
    assert "Public-key mode needs the public key ID." in html
    assert "MIIEvQ-private" not in html
    with world.a.scope():
        assert not PayMerchant.objects.exists()


@pytest.mark.parametrize("kind", ["oa", "wecom", "pay"])
def test_operators_and_viewers_cannot_connect(world: World, kind: str) -> None:
    for member in (world.a.operator, world.a.viewer):
        client = signed_in(member)
        assert client.get(f"/w/sakura/channels/connect/{kind}/").status_code == 403
        assert client.post(f"/w/sakura/channels/connect/{kind}/", PAY_FORM).status_code == 403
    with world.a.scope():
        assert not PayMerchant.objects.exists()


def test_unknown_kind_is_404(world: World) -> None:
    assert signed_in(world.a.owner).get("/w/sakura/channels/connect/sms/").status_code == 404


def test_detail_and_actions_of_another_tenant_are_404(world: World) -> None:
    account = oa_of(world.a)
    outsider = signed_in(world.b.owner)
    in_b = detail_url(account, "longjing")
    assert outsider.get(in_b).status_code == 404
    assert outsider.post(f"{in_b}pause/", {"paused": "1"}).status_code == 404
    assert outsider.post(f"{in_b}test/").status_code == 404
    # and A's own URL is not B's owner's workspace at all
    assert outsider.get(detail_url(account)).status_code == 404
    with world.a.scope():
        account.refresh_from_db()
    assert not account.ingest_paused


def test_viewer_sees_the_detail_without_controls_and_cannot_use_them(world: World) -> None:
    account = oa_of(world.a)
    viewer = signed_in(world.a.viewer)
    page = viewer.get(detail_url(account)).content.decode()
    assert f"/cb/oa/{account.callback_key}/" in page
    assert "Pause ingest" not in page
    assert "Test connection" not in page
    assert viewer.post(f"{detail_url(account)}pause/", {"paused": "1"}).status_code == 403
    assert viewer.post(f"{detail_url(account)}test/").status_code == 403


def test_test_button_shows_the_outcome(world: World) -> None:
    account = oa_of(world.a)
    client = signed_in(world.a.owner)
    refused = services.ConnectionTest(False, "The platform refused: errcode=40125 bad secret")
    with mock.patch.object(services, "_probe", side_effect=lambda channel: refused):
        response = client.post(f"{detail_url(account)}test/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Connection failed." in html
    assert "40125" in html
    with world.a.scope():
        account.refresh_from_db()
    assert account.last_test_ok is False
    assert "Failed" in client.get(LIST).content.decode()


def test_pause_parks_events_and_resume_queues_them(world: World) -> None:
    account = oa_of(world.a)
    client = signed_in(world.a.owner)
    assert client.post(f"{detail_url(account)}pause/", {"paused": "1"}).status_code == 302
    page = client.get(detail_url(account)).content.decode()
    assert "Ingest is paused" in page
    assert "Resume ingest" in page
    query, body = wire.oa_safe_request(
        OA_TOKEN, OA_AES_KEY, account.appid, wire.oa_text_xml(content="while paused")
    )
    Client().post(f"/cb/oa/{account.callback_key}/?{query}", data=body, content_type="text/xml")
    with world.a.scope():
        assert InboundEvent.objects.get().state == "parked"
    resumed = client.post(f"{detail_url(account)}pause/", {"paused": "0"}, follow=True)
    assert "1 parked events queued" in resumed.content.decode()
    with world.a.scope():
        assert InboundEvent.objects.get().state == "received"


def test_events_are_listed_and_replayed_by_managers_only(world: World) -> None:
    account = oa_of(world.a)
    query, body = wire.oa_safe_request(
        OA_TOKEN, OA_AES_KEY, account.appid, wire.oa_text_xml(content="hello")
    )
    Client().post(f"/cb/oa/{account.callback_key}/?{query}", data=body, content_type="text/xml")
    with world.a.scope():
        event = InboundEvent.objects.get()
        InboundEvent.objects.filter(pk=event.pk).update(state="failed", last_error="Boom: once")
    replay = f"{detail_url(account)}events/{event.uid}/replay/"
    owner = signed_in(world.a.owner)
    page = owner.get(detail_url(account)).content.decode()
    assert "Boom: once" in page
    assert replay in page
    assert replay not in signed_in(world.a.viewer).get(detail_url(account)).content.decode()
    assert signed_in(world.a.operator).post(replay).status_code == 403
    assert signed_in(world.b.owner).post(replay.replace("sakura", "longjing")).status_code == 404
    with world.a.scope():
        assert InboundEvent.objects.get().state == "failed"
    assert owner.post(replay).status_code == 302
    with world.a.scope():
        event.refresh_from_db()
    assert (event.state, event.last_error) == ("received", "")
    assert (
        AuditEvent.objects.for_tenant(world.a.workspace)
        .filter(action="ingest.event.replayed")
        .exists()
    )
