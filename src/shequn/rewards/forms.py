"""The campaign form of the console (business rules are checked by the service)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from shequn.channels import queries as channel_queries
from shequn.community import queries as community_queries
from shequn.rewards.models import RewardCampaign

FIELDS = (
    "name",
    "merchant",
    "appid",
    "target_pool",
    "amount_fen",
    "budget_fen",
    "per_person_cap",
    "daily_cap_fen",
    "quiet_start",
    "quiet_end",
    "requires_offer",
    "transfer_remark",
    "activity_name",
    "reward_description",
)


class CampaignForm(forms.ModelForm):  # type: ignore[type-arg]
    # Declared here so that no query runs when the module is imported (outside any workspace);
    # choices carry uids, never internal ids.
    merchant: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, to_field_name="uid", label=_("merchant")
    )
    target_pool: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, to_field_name="uid", label=_("target group pool")
    )

    class Meta:
        model = RewardCampaign
        fields = FIELDS
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Querysets are built per request, inside the workspace's scope.
        merchant = cast("forms.ModelChoiceField[Any]", self.fields["merchant"])
        merchant.queryset = channel_queries.pay_merchants()
        pool = cast("forms.ModelChoiceField[Any]", self.fields["target_pool"])
        pool.queryset = community_queries.pools()
        if self.instance.pk:
            for name in ("merchant", "target_pool"):
                self.fields[name].disabled = True

    def values(self) -> dict[str, Any]:
        names = [n for n in FIELDS if not self.fields[n].disabled]
        return {name: self.cleaned_data[name] for name in names}
