"""Sign-in, sign-out, password reset, invitations and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequn.accounts import services
from shequn.accounts.forms import AcceptInvitationForm, SignInForm
from shequn.accounts.models import User
from shequn.tenancy.models import Workspace


def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    form = SignInForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        response = redirect(next_url or settings.LOGIN_REDIRECT_URL)
        if form.user.language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.user.language, samesite="Lax")
        return response
    status = 429 if any(e.code == "throttled" for e in form.non_field_errors().as_data()) else 200
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the profile and in this browser."""
    code = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if code in dict(settings.LANGUAGES) and check_for_language(code):
        if request.user.is_authenticated:
            User.objects.filter(pk=request.user.pk).update(language=code)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax"
        )
    return response


@transaction.atomic
def accept_invitation(request: HttpRequest, ws_slug: str, token: str) -> HttpResponse:
    ws = Workspace.objects.filter(slug=ws_slug, archived_at__isnull=True).first()
    invitation = services.find_invitation(ws, token) if ws else None
    if ws is None or invitation is None:
        raise Http404
    existing = User.objects.filter(email=invitation.email).first()
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = existing
        if user is None:
            password = form.cleaned_data["password"]
            try:
                validate_password(password)
            except ValidationError as exc:
                form.add_error("password", exc)
                return render(
                    request,
                    "accounts/accept_invitation.html",
                    {"form": form, "invitation": invitation, "workspace": ws, "existing": existing},
                )
            user = services.create_user(
                invitation.email, password, display_name=form.cleaned_data["display_name"]
            )
        elif not request.user.is_authenticated or request.user.pk != user.pk:
            messages.info(
                request, _("Sign in as %(email)s to accept the invitation.") % {"email": user.email}
            )
            return redirect(f"{reverse_lazy('accounts:login')}?next={request.path}")
        services.accept_invitation(ws, token, user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("console:workspace_home", workspace=ws.slug)
    return render(
        request,
        "accounts/accept_invitation.html",
        {"form": form, "invitation": invitation, "workspace": ws, "existing": existing},
    )


password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
