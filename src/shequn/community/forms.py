"""Console forms of community: a pool, a questionnaire, adding a group to a pool."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequn.channels.models import WeComCorp
from shequn.community.models import WECOM_GROUP_CAP, GroupPool
from shequn.contacts import queries as contact_queries
from shequn.segments.models import Segment


class PoolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    corp: forms.ModelChoiceField[WeComCorp] = forms.ModelChoiceField(
        label=_("WeCom corp"), queryset=None
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=GroupPool.Purpose.choices)
    segment: forms.ModelChoiceField[Segment] = forms.ModelChoiceField(
        label=_("Segment"),
        queryset=None,
        required=False,
        help_text=_("Who belongs in this pool. Without a segment the pool takes everyone."),
    )
    priority = forms.IntegerField(
        label=_("Priority"), initial=100, help_text=_("Lower numbers are tried first.")
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Functional pools close on this date."),
    )
    next_pool: forms.ModelChoiceField[GroupPool] = forms.ModelChoiceField(
        label=_("Next pool"),
        queryset=None,
        required=False,
        help_text=_("Members whose segment moves on are invited to this pool once."),
    )
    max_members = forms.IntegerField(
        label=_("Members per group"), min_value=2, max_value=WECOM_GROUP_CAP, initial=500
    )
    room_base_name = forms.CharField(
        label=_("Name of new groups"),
        max_length=40,
        required=False,
        help_text=_("WeCom names the groups it creates with this name and a number."),
    )
    group_welcome = forms.CharField(
        label=_("Group welcome"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_(
            "Saved as a WeCom group welcome template; %NICKNAME% becomes the new member's "
            "name. Staff apply the template to the pool's groups in WeCom."
        ),
    )
    invite_text = forms.CharField(
        label=_("Invitation text"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Sent with the join code when members are invited on to this pool."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, pool: GroupPool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["corp"].queryset = WeComCorp.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["segment"].queryset = Segment.objects.order_by("name")  # type: ignore[attr-defined]
        others = GroupPool.objects.order_by("name")
        if pool is not None:
            others = others.exclude(pk=pool.pk)
            self.fields["corp"].disabled = True
            for name in self.fields:
                self.fields[name].initial = getattr(pool, name)
        self.fields["next_pool"].queryset = others  # type: ignore[attr-defined]

    def pool_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("corp", None)
        data.pop("name", None)
        data["room_base_name"] = data.get("room_base_name") or ""
        return data


class QuestionnaireForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=100)
    question = forms.CharField(label=_("Question"), max_length=200)
    attribute_key = forms.ChoiceField(label=_("Stored in attribute"))
    pools: forms.ModelMultipleChoiceField[GroupPool] = forms.ModelMultipleChoiceField(
        label=_("Candidate pools"),
        queryset=None,
        required=False,
        help_text=_("The answer routes among these pools. None selected: all pools."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attribute_key"].choices = [  # type: ignore[attr-defined]
            (d.key, d.label)
            for d in contact_queries.attribute_definitions()
            if d.value_type == "date"
        ]
        self.fields["pools"].queryset = GroupPool.objects.order_by("priority", "name")  # type: ignore[attr-defined]


class AnswerForm(forms.Form):
    answer = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
