"""The public landing page of a live code: counts a scan and shows the current contact-way QR
(served from our copy of the image: no external asset), for customers on their phones."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from shequn.livecodes import services
from shequn.livecodes.models import LiveCode
from shequn.tenancy.scope import dangerously_no_tenant_scope, tenant_scope


def _code(token: str) -> LiveCode:
    if not 10 <= len(token) <= 40:
        raise Http404
    with dangerously_no_tenant_scope():
        code: LiveCode | None = (
            # unscoped: the public token is the capability; it names one code in one workspace
            LiveCode.objects.unscoped()
            .select_related("campaign", "tenant")
            .filter(token=token, status=LiveCode.Status.ACTIVE, campaign__active=True)
            .first()
        )
    if code is None:
        raise Http404
    return code


@never_cache
@require_GET
def landing(request: HttpRequest, token: str) -> HttpResponse:
    code = _code(token)
    with tenant_scope(code.tenant):
        services.count_scan(code)
        campaign = code.campaign
        context = {"code": code, "campaign": campaign, "persona": campaign.persona}
        return render(request, "livecodes/landing.html", context)


@require_GET
def qr_image(request: HttpRequest, token: str) -> HttpResponse:
    code = _code(token)
    if not code.qr_png:
        raise Http404
    response = HttpResponse(bytes(code.qr_png), content_type="image/png")
    response["Cache-Control"] = "public, max-age=300"
    return response
