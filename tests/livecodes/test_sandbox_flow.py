"""Live codes end to end against the sandbox over HTTP: contact ways created by the background
task, the landing page counting scans, a customer adding staff through a code (attribution, the
add counted), the routed welcome with the pool's join link inside WeCom's 20 seconds, balancing
away from a full staff member, and the way quota stopping a lot without losing track of it."""

from __future__ import annotations

import httpx
import pytest

from shequn.ingest.models import WelcomeDelivery
from shequn.livecodes import services
from shequn.livecodes.models import Attribution, InsertBatch, LiveCode
from shequn.personas import services as persona_services
from shequn.personas.models import StaffAccount
from tests.conftest import World
from tests.ingest.conftest import as_owner
from tests.ingest.sandbox_support import Sandbox, run_worker
from tests.livecodes.wired import STAFF, Wired, wire

pytestmark = pytest.mark.slow


def _code(w: Wired, campaign_name: str = "Spring box", **fields: object) -> LiveCode:
    pool = w.pool("Baby 0-3 months")
    campaign = w.campaign(
        campaign_name,
        channel_kind="package_insert",
        pool=pool,
        welcome_text="Hi {name}! I'm {persona}. Join our group: {link}",
        **fields,
    )
    with w.tenant.scope(), as_owner(w.tenant):
        code = services.create_code(campaign, label="Box A")
    run_worker()
    with w.tenant.scope():
        code.refresh_from_db()
    return code


def test_a_code_is_a_multi_person_contact_way_with_its_state(wired: Wired) -> None:
    code = _code(wired)
    assert code.status == LiveCode.Status.ACTIVE, code.error
    assert len(code.state) <= 30
    [way] = wired.ways()
    assert way["config_id"] == code.config_id
    assert (way["type"], way["scene"], way["skip_verify"]) == (2, 2, True)
    assert way["state"] == code.state
    assert sorted(way["user"]) == sorted(STAFF)
    assert bytes(code.qr_png or b"").startswith(b"\x89PNG")


def test_landing_page_counts_scans_and_shows_our_copy_of_the_qr(wired: Wired) -> None:
    code = _code(wired)
    page = httpx.get(f"{wired.base_url}/c/{code.token}/")
    assert page.status_code == 200
    assert "/qr.png" in page.text
    assert "http" not in page.text.split("<body>")[1].replace(wired.base_url, "")  # no externals
    image = httpx.get(f"{wired.base_url}/c/{code.token}/qr.png")
    assert image.content == bytes(code.qr_png or b"")
    httpx.get(f"{wired.base_url}/c/{code.token}/")
    assert httpx.get(f"{wired.base_url}/c/not-a-real-token-at-all/").status_code == 404
    with wired.tenant.scope():
        code.refresh_from_db()
    assert (code.scans, code.adds) == (2, 0)


def test_adding_through_a_code_attributes_and_welcomes_with_the_pool_link(wired: Wired) -> None:
    code = _code(wired)
    added = wired.act("add_staff", userid=STAFF[0], config_id=code.config_id, name="小林")
    external = added["external_userid"]

    [welcome] = wired.received(external)
    assert welcome["via"] == "welcome"
    message = welcome["message"]
    assert message["text"]["content"].startswith("Hi ")
    assert "I'm 美美" in message["text"]["content"]
    [attachment] = message["attachments"]
    assert attachment["msgtype"] == "link"
    join_url = attachment["link"]["url"]
    assert join_url in message["text"]["content"]
    join_ways = wired.sandbox.control("GET", "/wecom/corps/ww00000000000000l1/ways")["join_ways"]
    assert join_url in [w["qr_code"] for w in join_ways]

    with wired.tenant.scope():
        code.refresh_from_db()
        assert code.adds == 1
        attribution = Attribution.objects.get()
        assert (attribution.code, attribution.campaign) == (code, code.campaign)
        assert attribution.external_userid == external
        assert attribution.routed_to == "Baby 0-3 months"
        assert attribution.contact.first_touch_scene == code.state
        delivery = WelcomeDelivery.objects.get()
        assert (delivery.ok, delivery.errcode) == (True, 0)
        assert code.state in delivery.detail
        assert (delivery.attempted_at - delivery.event.received_at).total_seconds() < 20


def test_an_add_without_one_of_our_codes_keeps_the_default_welcome(wired: Wired) -> None:
    _code(wired)
    added = wired.act("add_staff", userid=STAFF[0], name="Walk-in")
    assert wired.received(added["external_userid"]) == []  # the corp has no default message
    with wired.tenant.scope():
        assert not Attribution.objects.exists()
        assert not WelcomeDelivery.objects.exists()


def test_a_full_staff_member_is_taken_off_the_way(wired: Wired) -> None:
    with wired.tenant.scope(), as_owner(wired.tenant):
        staff = StaffAccount.objects.get(userid=STAFF[0])
        persona_services.update_staff(staff, capacity=1)
    code = _code(wired)
    wired.act("add_staff", userid=STAFF[0], config_id=code.config_id, name="First")
    run_worker()
    [way] = wired.ways()
    assert way["user"] == [STAFF[1]]
    with wired.tenant.scope():
        code.refresh_from_db()
        assert code.staff_userids == [STAFF[1]]


def test_a_lot_is_created_in_chunks_with_unique_states(wired: Wired) -> None:
    campaign = wired.campaign("Lot test", channel_kind="package_insert", routing="attributes")
    with wired.tenant.scope(), as_owner(wired.tenant):
        batch = services.create_batch(campaign, lot="2025-04-A", quantity=23)
    run_worker()
    with wired.tenant.scope():
        batch.refresh_from_db()
        states = list(LiveCode.objects.filter(batch=batch).values_list("state", flat=True))
        assert batch.status == InsertBatch.Status.READY
        assert batch.finished_at is not None
    assert len(set(states)) == 23
    assert sorted(w["state"] for w in wired.ways()) == sorted(states)


def test_the_way_quota_stops_a_lot_with_the_reason(
    transactional_db: None, live_server: object, world: World, sandbox: Sandbox, settings: object
) -> None:
    w = wire(world, sandbox, live_server.url, limits={"ways": 3})  # type: ignore[attr-defined]
    campaign = w.campaign("Quota", channel_kind="package_insert", routing="attributes")
    with w.tenant.scope(), as_owner(w.tenant):
        batch = services.create_batch(campaign, lot="L1", quantity=5)
    run_worker()
    with w.tenant.scope():
        batch.refresh_from_db()
        statuses = sorted(LiveCode.objects.values_list("status", flat=True))
    assert statuses == ["active"] * 3 + ["failed"] * 2
    assert batch.status == InsertBatch.Status.FAILED
    assert "41045" in batch.error or "quota" in batch.error.lower()
    assert len(w.ways()) == 3
