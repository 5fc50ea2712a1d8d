"""Settings → API tokens: issue (the raw token is shown once, in the response), list, revoke."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shequn.accounts import services as account_services
from shequn.accounts.models import ApiToken
from shequn.accounts.queries import api_tokens
from shequn.console.forms import TokenForm
from shequn.console.views.decorators import workspace_view
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission

MANAGE = Permission.MANAGE_TOKENS


def _page(
    request: HttpRequest, form: TokenForm, *, raw: str = "", status: int = 200
) -> HttpResponse:
    context = {"form": form, "tokens": list(api_tokens()), "raw_token": raw}
    return render(request, "console/settings/tokens.html", context, status=status)


@never_cache
@workspace_view(permission=MANAGE)
def tokens(request: HttpRequest, workspace: str) -> HttpResponse:
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    user = request.user if request.user.is_authenticated else None
    token, raw = account_services.issue_api_token(
        form.cleaned_data["name"], form.cleaned_data["scopes"], by=user
    )
    messages.success(request, _("Token “%(name)s” was created.") % {"name": token.name})
    # Rendered straight into this response, never stored or redirected: it cannot be shown again.
    return _page(request, TokenForm(), raw=raw)


@require_POST
@workspace_view(permission=MANAGE)
def revoke(request: HttpRequest, workspace: str, uid: uuid.UUID) -> HttpResponse:
    token = access_by_uid(ApiToken, uid)
    account_services.revoke_api_token(token)
    messages.success(request, _("Token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("console:tokens", workspace=workspace)
