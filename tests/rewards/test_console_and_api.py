"""Rewards console pages per role and the API, with two tenants: B never sees A's campaigns."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shequn.accounts import services as account_services
from shequn.rewards.models import Payout, RewardCampaign
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner
from tests.rewards import builders

pytestmark = pytest.mark.django_db


def _payout(t: Tenant) -> Payout:
    with t.scope(), as_owner(t):
        return builders.payout()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(getattr(user, "user", user))
    return client


def _token(t: Tenant, scope: str = "write") -> Client:
    with t.scope(), as_owner(t):
        _, raw = account_services.issue_api_token("rewards-test", [scope], by=t.owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_pages_for_every_role_and_not_for_tenant_b(world: World) -> None:
    payout = _payout(world.a)
    campaign = payout.campaign
    slug = world.a.workspace.slug
    pages = [
        f"/w/{slug}/rewards/",
        f"/w/{slug}/rewards/payouts/",
        f"/w/{slug}/rewards/payouts/?state=created",
        f"/w/{slug}/rewards/{campaign.uid}/",
        f"/w/{slug}/rewards/payouts/{payout.uid}/",
    ]
    for who in (world.a.owner, world.a.operator, world.a.viewer):
        client = _client(who)
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
        assert payout.out_bill_no in client.get(pages[1]).content.decode()
    overview = _client(world.a.viewer).get(pages[0]).content.decode()
    assert "sakura-reward-marker" in overview
    assert "¥1.88 / ¥100.00" in overview  # budget used vs total
    assert _client(world.a.viewer).get(f"/w/{slug}/rewards/new/").status_code == 403
    assert _client(world.a.operator).get(f"/w/{slug}/rewards/new/").status_code == 200
    b = _client(world.b.owner)
    for url in pages:
        assert b.get(url).status_code == 404  # A's workspace
    for url in pages[3:]:
        assert b.get(url.replace(slug, world.b.workspace.slug)).status_code == 404
    b_pages = [b.get(url.replace(slug, world.b.workspace.slug)) for url in pages[:3]]
    assert all(r.status_code == 200 for r in b_pages)
    assert not any(payout.out_bill_no in r.content.decode() for r in b_pages)


def test_operator_pauses_and_resumes_from_the_console(world: World) -> None:
    campaign = _payout(world.a).campaign
    slug = world.a.workspace.slug
    operator = _client(world.a.operator)
    assert (
        _client(world.a.viewer).post(f"/w/{slug}/rewards/{campaign.uid}/pause/").status_code == 403
    )
    operator.post(f"/w/{slug}/rewards/{campaign.uid}/pause/")
    with world.a.scope():
        paused = RewardCampaign.objects.get(pk=campaign.pk)
    assert (paused.status, paused.paused_reason) == ("paused", "operator")
    page = operator.get(f"/w/{slug}/rewards/{campaign.uid}/").content.decode()
    assert "data-paused" in page
    operator.post(f"/w/{slug}/rewards/{campaign.uid}/resume/")
    with world.a.scope():
        assert RewardCampaign.objects.get(pk=campaign.pk).status == "active"


def test_campaign_form_creates_and_refuses_bad_amounts(world: World) -> None:
    campaign = _payout(world.a).campaign
    slug = world.a.workspace.slug
    operator = _client(world.a.operator)
    data = {
        "name": "Autumn stickers",
        "merchant": str(campaign.merchant.uid),
        "appid": "wx0000000000000001",
        "target_pool": str(campaign.target_pool.uid),
        "amount_fen": 5,
        "budget_fen": 1000,
        "per_person_cap": 1,
        "transfer_remark": "入群红包",
        "activity_name": "秋季贴纸",
        "reward_description": "入群领取红包",
    }
    refused = operator.post(f"/w/{slug}/rewards/new/", data)
    assert refused.status_code == 422
    assert "10 fen" in refused.content.decode()
    created = operator.post(f"/w/{slug}/rewards/new/", {**data, "amount_fen": 88})
    assert created.status_code == 302
    with world.a.scope():
        assert RewardCampaign.objects.filter(name="Autumn stickers", amount_fen=88).exists()


def test_api_campaigns_and_ledger_with_two_tenants(world: World) -> None:
    payout = _payout(world.a)
    _payout(world.b)
    a_api, b_api = _token(world.a), _token(world.b)
    campaigns = a_api.get("/api/v1/reward-campaigns").json()["items"]
    assert [c["uid"] for c in campaigns] == [str(payout.campaign.uid)]
    assert campaigns[0]["used_fen"] == 188
    items = a_api.get("/api/v1/payouts", {"state": "created"}).json()["items"]
    assert [p["out_bill_no"] for p in items] == [payout.out_bill_no]
    assert a_api.get("/api/v1/payouts", {"state": "paid"}).json()["items"] == []
    detail = a_api.get(f"/api/v1/payouts/{payout.uid}").json()
    assert [(e["source"], e["to_state"]) for e in detail["history"]] == [("join", "created")]
    assert b_api.get(f"/api/v1/payouts/{payout.uid}").status_code == 404
    assert b_api.get(f"/api/v1/reward-campaigns/{payout.campaign.uid}").status_code == 404
    assert b_api.post(f"/api/v1/reward-campaigns/{payout.campaign.uid}/pause").status_code == 404
    assert payout.out_bill_no not in str(b_api.get("/api/v1/payouts").json())

    paused = a_api.post(f"/api/v1/reward-campaigns/{payout.campaign.uid}/pause").json()
    assert (paused["status"], paused["paused_reason"]) == ("paused", "operator")
    resumed = a_api.post(f"/api/v1/reward-campaigns/{payout.campaign.uid}/resume").json()
    assert (resumed["campaign"]["status"], resumed["requeued"]) == ("active", 1)
    patched = a_api.patch(
        f"/api/v1/reward-campaigns/{payout.campaign.uid}",
        {"budget_fen": 100},
        content_type="application/json",
    )
    assert patched.status_code == 422
    assert patched.json()["error"]["code"] == "invalid_campaign"
    reader = _token(world.a, "read")
    assert reader.get("/api/v1/payouts").status_code == 200
    assert reader.post(f"/api/v1/reward-campaigns/{payout.campaign.uid}/pause").status_code == 403
