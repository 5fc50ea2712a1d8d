"""Console forms of the inbox: auto-reply rules, menus, canned replies, replies."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from shequn.inbox.menus import PLATFORM_TYPES
from shequn.inbox.models import AutoReplyRule, Menu, ReplyKind

ARTICLE_HELP = _("One article per line: title | link | description | picture URL (1 to 8).")


def articles_from_text(text: str) -> list[dict[str, str]]:
    rows = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not any(parts):
            continue
        parts += [""] * (4 - len(parts))
        rows.append(
            {"title": parts[0], "url": parts[1], "description": parts[2], "pic_url": parts[3]}
        )
    return rows


def articles_to_text(articles: list[dict[str, str]]) -> str:
    return "\n".join(
        " | ".join(a.get(k, "") for k in ("title", "url", "description", "pic_url"))
        for a in articles or []
    )


class RuleForm(forms.Form):
    account = forms.ChoiceField(label=_("Official account"))
    name = forms.CharField(label=_("Name"), max_length=100)
    trigger = forms.ChoiceField(label=_("When"), choices=AutoReplyRule.Trigger.choices)
    match_kind = forms.ChoiceField(
        label=_("Match"), choices=AutoReplyRule.MatchKind.choices, required=False
    )
    patterns = forms.CharField(
        label=_("Keywords"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One keyword or pattern per line; letter case and spacing are ignored."),
    )
    priority = forms.IntegerField(
        label=_("Priority"), initial=100, help_text=_("Lower numbers are tried first.")
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    reply_kind = forms.ChoiceField(label=_("Reply with"), choices=ReplyKind.choices)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    media_id = forms.CharField(label=_("Image media ID"), required=False, max_length=128)
    articles = forms.CharField(
        label=_("Articles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=ARTICLE_HELP,
    )
    mp_appid = forms.CharField(label=_("Mini program AppID"), required=False, max_length=32)
    mp_pagepath = forms.CharField(label=_("Page path"), required=False, max_length=300)
    mp_title = forms.CharField(label=_("Card title"), required=False, max_length=100)
    mp_thumb_media_id = forms.CharField(
        label=_("Thumbnail media ID"), required=False, max_length=128
    )

    def __init__(self, *args: Any, accounts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account_field = cast(forms.ChoiceField, self.fields["account"])
        account_field.choices = [(str(a.uid), a.name) for a in accounts]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("account")
        data["match_kind"] = data.get("match_kind") or AutoReplyRule.MatchKind.EXACT
        data["articles"] = articles_from_text(data.get("articles") or "")
        return data


class TryForm(forms.Form):
    text = forms.CharField(label=_("Try a message"), max_length=600, required=False)


class MenuForm(forms.Form):
    account = forms.ChoiceField(label=_("Official account"))
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Menu.Kind.choices)
    tag_id = forms.CharField(
        label=_("Follower tag"),
        required=False,
        max_length=20,
        help_text=_("The official account's tag ID; followers with this tag see the menu."),
    )
    client_platform_type = forms.ChoiceField(
        label=_("Phone platform"),
        required=False,
        choices=[("", _("Any")), *PLATFORM_TYPES.items()],
    )

    def __init__(self, *args: Any, accounts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account_field = cast(forms.ChoiceField, self.fields["account"])
        account_field.choices = [(str(a.uid), a.name) for a in accounts]


class CannedForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    text = forms.CharField(
        label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
