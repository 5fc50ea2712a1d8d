"""Settings → Members: who is in the workspace, invitations, roles."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequn.accounts import services as account_services
from shequn.accounts.models import Invitation
from shequn.accounts.queries import pending_invitations
from shequn.console.forms import InviteForm, RoleForm, grantable_roles
from shequn.console.views.decorators import workspace_view
from shequn.tenancy import queries
from shequn.tenancy import services as tenancy_services
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.models import Membership
from shequn.tenancy.roles import ROLE_RANK, Permission, Role

MANAGE = Permission.MANAGE_MEMBERS


def _panel_context(request: HttpRequest, invite_form: InviteForm | None = None) -> dict[str, Any]:
    me: Membership = request.membership  # type: ignore[attr-defined]
    rank = ROLE_RANK[Role(me.role)]
    members = [
        {
            "membership": m,
            "is_me": m.pk == me.pk,
            # A member may only manage those at or below their own rank.
            "manageable": m.pk != me.pk and ROLE_RANK[Role(m.role)] <= rank,
        }
        for m in queries.members_of(me.workspace)
    ]
    return {
        "members": members,
        "invitations": list(pending_invitations().select_related("invited_by")),
        "role_choices": grantable_roles(me),
        "invite_form": invite_form or InviteForm(by=me),
    }


def _respond(
    request: HttpRequest, workspace: str, invite_form: InviteForm | None = None
) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "console/settings/members_panel.html", _panel_context(request, invite_form)
        )
    if invite_form is not None and invite_form.errors:
        return render(
            request,
            "console/settings/members.html",
            _panel_context(request, invite_form),
            status=400,
        )
    return redirect("console:members", workspace=workspace)


def _target(request: HttpRequest, uid: uuid.UUID) -> Membership:
    me: Membership = request.membership  # type: ignore[attr-defined]
    target = (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace=me.workspace, uid=uid)
        .first()
    )
    if target is None:
        raise Http404
    return target


def _may_manage(request: HttpRequest, target: Membership) -> bool:
    me: Membership = request.membership  # type: ignore[attr-defined]
    if target.pk == me.pk or ROLE_RANK[Role(target.role)] > ROLE_RANK[Role(me.role)]:
        messages.error(request, _("You cannot change this member."))
        return False
    return True


@workspace_view(permission=MANAGE)
def members(request: HttpRequest, workspace: str) -> HttpResponse:
    return render(request, "console/settings/members.html", _panel_context(request))


@require_POST
@workspace_view(permission=MANAGE)
def invite(request: HttpRequest, workspace: str) -> HttpResponse:
    me: Membership = request.membership  # type: ignore[attr-defined]
    form = InviteForm(request.POST, by=me)
    if not form.is_valid():
        return _respond(request, workspace, form)
    try:
        invitation, _link = account_services.invite(
            form.cleaned_data["email"], form.cleaned_data["role"], by=me
        )
    except account_services.InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return _respond(request, workspace)


@require_POST
@workspace_view(permission=MANAGE)
def change_role(request: HttpRequest, workspace: str, uid: uuid.UUID) -> HttpResponse:
    me: Membership = request.membership  # type: ignore[attr-defined]
    target = _target(request, uid)
    form = RoleForm(request.POST, by=me)
    if not form.is_valid():
        messages.error(request, _("Choose a role you may grant."))
    elif _may_manage(request, target):
        try:
            tenancy_services.change_role(target, form.cleaned_data["role"], by=me)
        except tenancy_services.MembershipError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(member)s is now %(role)s.")
                % {"member": target.user, "role": target.get_role_display()},
            )
    return _respond(request, workspace)


@require_POST
@workspace_view(permission=MANAGE)
def remove(request: HttpRequest, workspace: str, uid: uuid.UUID) -> HttpResponse:
    target = _target(request, uid)
    if _may_manage(request, target):
        try:
            tenancy_services.remove_member(target)
        except tenancy_services.MembershipError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(member)s was removed.") % {"member": target.user})
    return _respond(request, workspace)


@require_POST
@workspace_view(permission=MANAGE)
def revoke_invitation(request: HttpRequest, workspace: str, uid: uuid.UUID) -> HttpResponse:
    invitation = access_by_uid(Invitation, uid, accepted_at__isnull=True, revoked_at__isnull=True)
    account_services.revoke_invitation(invitation)
    messages.success(
        request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
    )
    return _respond(request, workspace)
