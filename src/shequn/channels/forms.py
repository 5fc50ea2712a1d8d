"""Connect forms: secrets are password inputs (or blank text areas for PEM keys) that are never
rendered back."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shequn.channels.models import OfficialAccount, PayMerchant


class SecretTextarea(forms.Textarea):
    """A multi-line secret (a PEM private key): like PasswordInput, never shows its value."""

    def format_value(self, value: object) -> None:
        return None


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
    api_base_url = forms.URLField(
        label=_("API base URL"), initial="https://api.weixin.qq.com", assume_scheme="https"
    )


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
    api_base_url = forms.URLField(
        label=_("API base URL"), initial="https://qyapi.weixin.qq.com", assume_scheme="https"
    )


class PayMerchantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    mchid = forms.CharField(label=_("Merchant ID"), max_length=32)
    serial_no = forms.CharField(label=_("API certificate serial number"), max_length=64)
    private_key = forms.CharField(
        label=_("API private key (PEM)"),
        widget=SecretTextarea(attrs={"rows": 4, "class": "mono"}),
    )
    api_v3_key = forms.CharField(label=_("APIv3 key"), widget=forms.PasswordInput)
    platform_key_mode = forms.ChoiceField(
        label=_("Platform key mode"), choices=PayMerchant.PlatformKeyMode.choices
    )
    platform_key_id = forms.CharField(
        label=_("Public key ID"),
        max_length=80,
        required=False,
        help_text=_("PUB_KEY_ID_… from the merchant platform, in public-key mode."),
    )
    platform_key_pem = forms.CharField(
        label=_("Platform public key or certificate (PEM)"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}),
    )
    api_base_url = forms.URLField(
        label=_("API base URL"), initial="https://api.mch.weixin.qq.com", assume_scheme="https"
    )

    def clean_api_v3_key(self) -> str:
        key = str(self.cleaned_data["api_v3_key"])
        if len(key.encode()) != 32:
            raise forms.ValidationError(_("The APIv3 key is 32 characters long."))
        return key

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        mode = cleaned.get("platform_key_mode")
        if mode == PayMerchant.PlatformKeyMode.PUBLIC_KEY and not cleaned.get("platform_key_id"):
            self.add_error("platform_key_id", _("Public-key mode needs the public key ID."))
        return cleaned
