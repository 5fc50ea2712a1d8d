"""Rewards against the sandbox over HTTP: a promised customer really joins a group of the target
pool → a payout → Pay's bill waits for the customer → they confirm → the notification settles
the ledger as paid. Duplicates, timeouts, a crash between paying and recording, budgets, caps,
NOT_ENOUGH and quiet hours: every bill is sent at most once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shequn.channels import services as channel_services
from shequn.rewards import issuing
from shequn.rewards.models import Payout, PayoutEvent, RewardOffer
from tests.conftest import World
from tests.ingest.sandbox_support import (
    Sandbox,
    run_worker,
    sandbox_fixture,  # noqa: F401 - provides the `sandbox` fixture
)
from tests.rewards.wiring import AMOUNT, MCHID, Rig, build_rig

pytestmark = pytest.mark.slow

State = Payout.State


@pytest.fixture
def rig(transactional_db: None, live_server: Any, world: World, sandbox: Sandbox) -> Rig:
    return build_rig(world.a, sandbox, live_server.url)


def _history(rig: Rig, payout: Payout) -> list[tuple[str, str, str]]:
    with rig.tenant.scope():
        return [
            (e.source, e.from_state, e.to_state)
            for e in PayoutEvent.objects.filter(payout=payout).order_by("id")
        ]


def test_join_pays_once_after_the_customer_confirms(rig: Rig) -> None:
    rig.customer("mei", unionid="uMei", openid="oMei")
    rig.promise("mei")
    rig.sandbox.faults(callbacks={"duplicate_rate": 1.0})  # WeCom repeats the join callback
    rig.join("mei")

    [payout] = rig.payouts()
    assert payout.state == State.WAITING
    assert (payout.openid, payout.unionid, payout.amount_fen) == ("oMei", "uMei", AMOUNT)
    assert payout.package_info  # what the customer's page needs to confirm
    [bill] = rig.bills()
    assert (bill["out_bill_no"], bill["state"]) == (payout.out_bill_no, "WAIT_USER_CONFIRM")

    confirmed = rig.confirm(payout.out_bill_no)
    assert confirmed["result"]["state"] == "SUCCESS"
    [payout] = rig.payouts()
    assert payout.state == State.PAID
    assert payout.settled_at is not None
    assert _history(rig, payout) == [
        ("join", "", "created"),
        ("api", "created", "waiting_confirmation"),
        ("notification", "waiting_confirmation", "paid"),
    ]
    # Pay repeats its notification; the ledger does not change.
    rig.sandbox.advance(15)
    rig.sandbox.flush()
    run_worker()
    assert len(rig.bills()) == 1
    assert len(_history(rig, rig.payouts()[0])) == 3


def test_a_customer_nobody_promised_is_not_paid(rig: Rig) -> None:
    rig.customer("stranger", unionid="uStranger", openid="oStranger")
    rig.join("stranger")
    assert rig.payouts() == []
    assert rig.bills() == []


def test_campaign_without_offers_pays_every_joiner_once(rig: Rig) -> None:
    rig.update(requires_offer=False)
    rig.customer("hana", unionid="uHana", openid="oHana")
    rig.join("hana")
    assert [p.state for p in rig.payouts()] == [State.WAITING]


def test_pay_timeouts_are_retried_with_the_same_bill_number(rig: Rig) -> None:
    rig.customer("mei", unionid="uMei", openid="oMei")
    rig.promise("mei")
    # Every attempt of the first sending fails (the client itself tries three times).
    rig.sandbox.faults(fail_next={"count": 3, "path": "/v3/fund-app/mch-transfer/transfer-bills"})
    rig.join("mei")
    [payout] = rig.payouts()
    assert payout.state == State.CREATED
    assert payout.attempts == 1
    assert rig.bills() == []

    rig.reconcile()  # the next try, with the same out_bill_no
    rig.reconcile()  # and one more for good measure: nothing new is sent
    [again] = rig.payouts()
    assert again.out_bill_no == payout.out_bill_no
    assert again.state == State.WAITING
    assert [b["out_bill_no"] for b in rig.bills()] == [payout.out_bill_no]


def _quiet_now(rig: Rig) -> None:
    zone = ZoneInfo(rig.tenant.workspace.time_zone)
    now = timezone.now().astimezone(zone)
    rig.update(
        quiet_start=(now - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_end=(now + timedelta(hours=1)).time().replace(second=0, microsecond=0),
    )


def _due_now(rig: Rig) -> None:
    with rig.tenant.scope():
        Payout.objects.update(due_at=timezone.now() - timedelta(seconds=1))


def test_crash_between_paying_and_recording_is_adopted_not_paid_again(rig: Rig) -> None:
    rig.customer("mei", unionid="uMei", openid="oMei")
    rig.promise("mei")
    _quiet_now(rig)  # the payout is written but held back...
    rig.join("mei")
    [payout] = rig.payouts()
    assert payout.state == State.CREATED
    # ...then a worker sends its bill and dies before recording Pay's answer.
    with rig.tenant.scope():
        Payout.objects.filter(pk=payout.pk).update(openid="oMei", unionid="uMei")
        payout = Payout.objects.select_related("campaign").get(pk=payout.pk)
    with rig.tenant.scope(), channel_services.pay_client(rig.merchant) as pay:
        pay.create(issuing.transfer_request(payout))
    _due_now(rig)

    rig.reconcile()
    [payout] = rig.payouts()
    assert payout.state == State.WAITING
    assert payout.transfer_bill_no
    assert len(rig.bills()) == 1
    assert ("query", "created", "waiting_confirmation") in _history(rig, payout)
    rig.confirm(payout.out_bill_no)
    assert [p.state for p in rig.payouts()] == [State.PAID]


def test_exhausted_budget_creates_no_payout_and_says_why(rig: Rig) -> None:
    rig.update(budget_fen=AMOUNT, requires_offer=False)
    rig.customer("mei", unionid="uMei", openid="oMei")
    rig.customer("hana", unionid="uHana", openid="oHana")
    rig.join("mei")
    rig.join("hana")
    assert [p.contact_id for p in rig.payouts()] == [rig.contact("mei").pk]
    campaign = rig.refresh()
    assert (campaign.status, campaign.paused_reason) == ("paused", "budget_exhausted")
    assert len(rig.bills()) == 1


def test_not_enough_pauses_the_campaign_and_resume_pays(rig: Rig) -> None:
    rig.sandbox.http.patch(
        f"/sandbox/pay/merchants/{MCHID}", json={"balance_fen": 0}
    ).raise_for_status()
    rig.customer("mei", unionid="uMei", openid="oMei")
    rig.promise("mei")
    rig.join("mei")
    [payout] = rig.payouts()
    assert payout.state == State.CREATED  # nothing lost
    campaign = rig.refresh()
    assert (campaign.status, campaign.paused_reason) == ("paused", "insufficient_balance")
    assert rig.bills() == []

    # Another promised customer joins while paused: owed, not lost, not sent.
    rig.customer("hana", unionid="uHana", openid="oHana")
    rig.promise("hana")
    rig.join("hana")
    assert [p.state for p in rig.payouts()] == [State.CREATED, State.CREATED]

    rig.sandbox.control("POST", f"/pay/merchants/{MCHID}/topup", json={"amount_fen": 10_000})
    from shequn.rewards import services
    from tests.ingest.conftest import as_owner

    with rig.tenant.scope(), as_owner(rig.tenant):
        assert services.resume_campaign(rig.campaign) == 2
    run_worker()
    assert [p.state for p in rig.payouts()] == [State.WAITING, State.WAITING]
    assert len(rig.bills()) == 2


def test_quiet_hours_hold_the_payout_until_they_end(rig: Rig) -> None:
    zone = ZoneInfo(rig.tenant.workspace.time_zone)
    now = timezone.now().astimezone(zone)
    end = (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    _quiet_now(rig)
    rig.customer("mei", unionid="uMei", openid="oMei")
    rig.promise("mei")
    rig.join("mei")
    [payout] = rig.payouts()
    assert payout.state == State.CREATED
    local_due = payout.due_at.astimezone(zone)
    assert local_due.time().replace(second=0, microsecond=0) == end
    assert local_due > now
    rig.reconcile()
    assert rig.bills() == []  # still quiet
    _due_now(rig)
    rig.reconcile()
    assert [p.state for p in rig.payouts()] == [State.WAITING]


def test_one_reward_per_unionid_across_two_wecom_identities(rig: Rig) -> None:
    rig.update(requires_offer=False)
    rig.customer("mei", unionid="uMei", openid="oMei")
    rig.join("mei")
    [first] = rig.payouts()
    rig.confirm(first.out_bill_no)
    # The same WeChat user appears again as a new external contact (e.g. a second staff QR),
    # not yet known to be the same person when they join.
    again = rig.wecom("add_staff", userid="lili2", unionid="uMei", name="mei again")
    rig.customers["mei2"] = str(again["external_userid"])
    rig.join("mei2")
    payouts = rig.payouts()
    assert [(p.state, p.fail_reason) for p in payouts] == [
        (State.PAID, ""),
        (State.CANCELLED, "already_rewarded"),
    ]
    assert payouts[1].unionid == "uMei"  # found through WeCom when it was about to be sent
    assert len(rig.bills()) == 1


def test_offers_are_idempotent_and_refusals_are_kept(rig: Rig) -> None:
    rig.customer("mei", unionid="uMei", openid="oMei")
    rig.promise("mei")
    rig.promise("mei")
    rig.join("mei")
    rig.wecom("leave_group", external_userid=rig.customers["mei"], chat_id=rig.chat_id)
    rig.join("mei")
    with rig.tenant.scope():
        offer = RewardOffer.objects.get()
    assert offer.refused_reason in ("", "in_flight")
    assert len(rig.payouts()) == 1
    assert len(rig.bills()) == 1
