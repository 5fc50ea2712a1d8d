"""Console → Privacy: data-subject requests, and one contact's consents, export and erasure."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequn.console.views.decorators import workspace_view
from shequn.contacts.models import Contact
from shequn.privacy import queries, services
from shequn.privacy.models import ConsentSource, Purpose
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission


def _contact(uid: object) -> Contact:
    return access_by_uid(Contact, str(uid), merged_into__isnull=True)


@workspace_view(permission=Permission.EXPORT_DATA)
def requests_page(request: HttpRequest, workspace: str) -> HttpResponse:
    return render(
        request,
        "privacy/requests.html",
        {"requests": queries.requests()[:200], "erased": queries.erased_contacts().count()},
    )


@workspace_view()
def contact_page(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    contact = _contact(uid)
    membership = request.membership  # type: ignore[attr-defined]
    return render(
        request,
        "privacy/contact.html",
        {
            "contact": contact,
            "current": [
                (Purpose(p).label, r) for p, r in queries.current_consents(contact).items()
            ],
            "history": queries.history(contact)[:100],
            "purposes": Purpose.choices,
            "can_operate": membership.allows(Permission.OPERATE),
            "can_export": membership.allows(Permission.EXPORT_DATA),
            "can_erase": membership.allows(Permission.MANAGE_MEMBERS),
        },
    )


@require_POST
@workspace_view(permission=Permission.OPERATE)
def consent(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    contact = _contact(uid)
    purpose = request.POST.get("purpose", "")
    granted = request.POST.get("granted") == "1"
    write = services.grant if granted else services.withdraw
    try:
        write(
            contact,
            purpose,
            source=ConsentSource.OPERATOR,
            evidence=request.POST.get("evidence", "")[:2000],
        )
    except services.ConsentError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, _("Consent recorded."))
    return redirect("console:privacy_contact", workspace=workspace, uid=contact.uid)


@require_POST
@workspace_view(permission=Permission.EXPORT_DATA)
def export(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    contact = _contact(uid)
    services.request_export(contact)
    response = HttpResponse(services.export_zip(contact), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{contact.uid}.zip"'
    return response


@require_POST
@workspace_view(permission=Permission.MANAGE_MEMBERS)
def erase(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    contact = _contact(uid)
    if request.POST.get("confirm") != "erase":
        flash.error(request, _("Type “erase” to confirm."))
        return redirect("console:privacy_contact", workspace=workspace, uid=contact.uid)
    services.request_erasure(contact)
    flash.success(request, _("Erasure queued. The person's data will be removed in a moment."))
    return redirect("console:privacy_requests", workspace=workspace)
