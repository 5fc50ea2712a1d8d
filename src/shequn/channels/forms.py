"""Connect forms: secrets are password inputs that are never rendered back."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shequn.channels.models import OfficialAccount


class OfficialAccountForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    appid = forms.CharField(label=_("AppID"), max_length=32)
    account_kind = forms.ChoiceField(
        label=_("Account type"), choices=OfficialAccount.AccountKind.choices
    )
    encryption_mode = forms.ChoiceField(
        label=_("Message encryption"), choices=OfficialAccount.EncryptionMode.choices
    )
    verified_until = forms.DateField(label=_("Verified until"), required=False)
    secret = forms.CharField(label=_("AppSecret"), widget=forms.PasswordInput)
    token = forms.CharField(label=_("Token"), widget=forms.PasswordInput)
    encoding_aes_key = forms.CharField(
        label=_("EncodingAESKey"), required=False, widget=forms.PasswordInput
    )
    api_base_url = forms.URLField(label=_("API base URL"), initial="https://api.weixin.qq.com")


class WeComCorpForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    corpid = forms.CharField(label=_("CorpID"), max_length=64)
    contact_secret = forms.CharField(label=_("Customer contact secret"), widget=forms.PasswordInput)
    callback_token = forms.CharField(label=_("Callback token"), widget=forms.PasswordInput)
    callback_aes_key = forms.CharField(
        label=_("Callback EncodingAESKey"), widget=forms.PasswordInput
    )
    welcome_message = forms.CharField(
        label=_("Default welcome message"), required=False, widget=forms.Textarea
    )
    api_base_url = forms.URLField(label=_("API base URL"), initial="https://qyapi.weixin.qq.com")
