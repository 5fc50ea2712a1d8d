from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from shequn.accounts import throttling


class SignInForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, request: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email, password = data.get("email"), data.get("password")
        if not email or not password:
            return data
        ip = str(self.request.META.get("REMOTE_ADDR") or "")
        until = throttling.locked_until(email, ip)
        if until is not None:
            raise forms.ValidationError(
                _("Too many failed attempts. Try again after %(time)s.")
                % {"time": formats.time_format(timezone.localtime(until))},
                code="throttled",
            )
        user = authenticate(self.request, email=email, password=password)
        if user is None:
            throttling.record_failure(email, ip)
            raise forms.ValidationError(
                _("The e-mail address or password is wrong."), code="invalid_login"
            )
        throttling.clear_failures(email)
        self.user = user
        return data


class AcceptInvitationForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
    )
