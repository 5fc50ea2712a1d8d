"""Console forms of live codes (querysets are set per request, inside the workspace scope)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequn.channels.models import WeComCorp
from shequn.community.models import GroupPool, Questionnaire
from shequn.livecodes.models import MAX_STATE, Campaign
from shequn.livecodes.services import MAX_BATCH
from shequn.personas.models import Persona
from shequn.rewards.models import RewardCampaign


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    channel_kind = forms.ChoiceField(label=_("Channel"), choices=Campaign.ChannelKind.choices)
    corp: forms.ModelChoiceField[WeComCorp] = forms.ModelChoiceField(
        label=_("WeCom corporation"), queryset=None
    )
    persona: forms.ModelChoiceField[Persona] = forms.ModelChoiceField(
        label=_("Persona"),
        queryset=None,
        help_text=_("Its staff below capacity answer the customers who scan."),
    )
    routing = forms.ChoiceField(label=_("Routing"), choices=Campaign.Routing.choices)
    pool: forms.ModelChoiceField[GroupPool] = forms.ModelChoiceField(
        label=_("Group pool"), queryset=None, required=False
    )
    questionnaire: forms.ModelChoiceField[Questionnaire] = forms.ModelChoiceField(
        label=_("Questionnaire"),
        queryset=None,
        required=False,
        help_text=_("For questionnaire routing; blank: the first active one."),
    )
    reward: forms.ModelChoiceField[RewardCampaign] = forms.ModelChoiceField(
        label=_("Reward on joining"),
        queryset=None,
        required=False,
        help_text=_("Customers from this campaign are promised this reward when they join."),
    )
    label = forms.CharField(
        label=_("Sticker label"),
        max_length=40,
        required=False,
        help_text=_("Printed on each sticker."),
    )
    welcome_text = forms.CharField(
        label=_("Welcome text"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Placeholders: {name} (the customer), {persona} (the persona's name), {campaign}, "
            "{link} (the group invitation link). Blank: a default greeting with the link."
        ),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["corp"].queryset = WeComCorp.objects.order_by("name")
        fields["persona"].queryset = Persona.objects.order_by("name")
        fields["pool"].queryset = GroupPool.objects.order_by("priority", "name")
        fields["questionnaire"].queryset = Questionnaire.objects.order_by("name")
        fields["reward"].queryset = RewardCampaign.objects.order_by("name")

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
        return {
            name: getattr(campaign, name)
            for name in (
                "name",
                "channel_kind",
                "corp",
                "persona",
                "routing",
                "pool",
                "questionnaire",
                "reward",
                "label",
                "welcome_text",
                "active",
            )
        }


class CodeForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=60, required=False)
    state = forms.CharField(
        label=_("State"),
        max_length=MAX_STATE,
        required=False,
        help_text=_("At most 30 characters, unique in the corp. Blank: generated."),
    )


class BatchForm(forms.Form):
    lot = forms.CharField(label=_("Lot number"), max_length=40)
    quantity = forms.IntegerField(label=_("Stickers"), min_value=1, max_value=MAX_BATCH)
