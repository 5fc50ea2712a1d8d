"""Rewards paid through WeChat Pay on joining a group: campaigns and the payout ledger.

A `RewardCampaign` pays `amount_fen` from one merchant to each person who really joins a group
of its target pool (once per person by default), within a total budget, a daily cap and outside
quiet hours. A `RewardOffer` records that a person was promised the reward (the live code they
added through). A `Payout` is one row of the ledger: its `out_bill_no` is the idempotency key
sent to Pay, derived from (campaign, person, sequence) so that every retry reuses it. Every
state change is kept as a `PayoutEvent` with where it came from. See rewards/README.md.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.channels.models import PayMerchant
from shequn.contacts.models import Contact, CustomerGroup
from shequn.tenancy.models import TenantScopedModel


class RewardCampaign(TenantScopedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    class PauseReason(models.TextChoices):
        NONE = "", _("Not paused")
        OPERATOR = "operator", _("Paused by an operator")
        INSUFFICIENT_BALANCE = "insufficient_balance", _("The merchant balance is too low")
        QUOTA = "quota", _("A WeChat Pay transfer quota was reached")
        BUDGET_EXHAUSTED = "budget_exhausted", _("The total budget is used up")

    name = models.CharField(_("name"), max_length=100)
    merchant = models.ForeignKey(
        PayMerchant, on_delete=models.PROTECT, related_name="+", verbose_name=_("merchant")
    )
    appid = models.CharField(
        _("AppID to pay under"),
        max_length=32,
        help_text=_("An official account or mini program bound to the merchant."),
    )
    target_pool = models.ForeignKey(
        "community.GroupPool",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("target group pool"),
    )
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    budget_fen = models.PositiveBigIntegerField(_("total budget (fen)"))
    per_person_cap = models.PositiveSmallIntegerField(_("rewards per person"), default=1)
    daily_cap_fen = models.PositiveBigIntegerField(
        _("daily cap (fen)"), null=True, blank=True, help_text=_("Empty: no daily cap.")
    )
    quiet_start = models.TimeField(_("quiet hours start"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours end"), null=True, blank=True)
    requires_offer = models.BooleanField(
        _("only for promised customers"),
        default=True,
        help_text=_("Pay only customers who were promised the reward (e.g. by a sticker code)."),
    )
    transfer_remark = models.CharField(_("remark shown to the customer"), max_length=32)
    activity_name = models.CharField(_("activity name (reported to Pay)"), max_length=32)
    reward_description = models.CharField(_("reward description (reported to Pay)"), max_length=32)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    paused_reason = models.CharField(
        _("paused because"), max_length=30, choices=PauseReason.choices, blank=True
    )
    paused_detail = models.CharField(max_length=300, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reward campaign")
        constraints: ClassVar[list[models.BaseConstraint]] = [*TenantScopedModel.Meta.constraints]

    def __str__(self) -> str:
        return self.name


class RewardOffer(TenantScopedModel):
    """This person was promised the reward of this campaign (created when they add a code)."""

    campaign = models.ForeignKey(RewardCampaign, on_delete=models.CASCADE, related_name="offers")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Why the last join of this person was not rewarded (shown to operators), if it was not.
    refused_reason = models.CharField(max_length=40, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "campaign", "contact"], name="rewards_offer_once"
            ),
        ]

    def __str__(self) -> str:
        return f"offer {self.campaign_id}:{self.contact_id}"


class Payout(TenantScopedModel):
    class State(models.TextChoices):
        CREATED = "created", _("Created")
        WAITING = "waiting_confirmation", _("Waiting for the customer")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINAL_STATES: ClassVar[frozenset[str]] = frozenset(
        {State.PAID, State.EXPIRED, State.FAILED, State.CANCELLED}
    )
    # Payouts that do not use budget or a person's cap: nothing was or will be paid.
    RELEASED_STATES: ClassVar[frozenset[str]] = frozenset(
        {State.EXPIRED, State.FAILED, State.CANCELLED}
    )

    campaign = models.ForeignKey(RewardCampaign, on_delete=models.PROTECT, related_name="payouts")
    # Kept (anonymous) when the person is erased: the ledger records money that moved.
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.ForeignKey(
        CustomerGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_id = models.CharField(max_length=128, blank=True)  # the external_userid that joined
    # "u:<unionid>" or "c:<contact uid>": who counts as one person for caps.
    person_key = models.CharField(max_length=140)
    sequence = models.PositiveSmallIntegerField(default=1)
    unionid = models.CharField(max_length=128, blank=True)
    openid = models.CharField(max_length=128, blank=True)
    appid = models.CharField(max_length=32)
    amount_fen = models.PositiveIntegerField()
    out_bill_no = models.CharField(max_length=32)
    state = models.CharField(
        max_length=24, choices=State.choices, default=State.CREATED, db_index=False
    )
    pay_state = models.CharField(max_length=24, blank=True)  # Pay's own state, as last seen
    transfer_bill_no = models.CharField(max_length=64, blank=True)
    package_info = models.TextField(blank=True)
    fail_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField()  # not sent before (quiet hours, daily cap)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "out_bill_no"], name="rewards_bill_no_once"),
            models.UniqueConstraint(
                fields=["tenant", "campaign", "person_key", "sequence"],
                name="rewards_payout_sequence_once",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "state", "due_at"], name="rewards_payout_open"),
            models.Index(fields=["tenant", "campaign", "person_key"], name="rewards_payout_person"),
            models.Index(fields=["tenant", "created_at"], name="rewards_payout_recent"),
        ]

    def __str__(self) -> str:
        return self.out_bill_no

    @property
    def is_final(self) -> bool:
        return self.state in self.FINAL_STATES


class PayoutEvent(TenantScopedModel):
    """One change of a payout, with where the news came from."""

    class Source(models.TextChoices):
        JOIN = "join", _("Group join")
        API = "api", _("Pay's answer")
        NOTIFICATION = "notification", _("Pay notification")
        QUERY = "query", _("Pay query")
        OPERATOR = "operator", _("Operator")
        SYSTEM = "system", _("Shequn")

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="events")
    source = models.CharField(max_length=20, choices=Source.choices)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24)
    note = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [*TenantScopedModel.Meta.constraints]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "payout", "at"], name="rewards_event_history"),
        ]

    def __str__(self) -> str:
        return f"{self.from_state}->{self.to_state}"
