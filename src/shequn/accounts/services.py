"""Writes on users, invitations and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shequn.accounts.models import ApiToken, Invitation, User
from shequn.audit.services import record
from shequn.tenancy import services as tenancy_services
from shequn.tenancy.models import Membership, Workspace
from shequn.tenancy.roles import ROLE_RANK, Role
from shequn.tenancy.scope import require_tenant, tenant_scope

INVITATION_DAYS = 7
TOKEN_PREFIX = "shq_"  # noqa: S105 - a public prefix, not a secret
_LAST_USED_RESOLUTION = timedelta(minutes=1)


class InvitationError(ValueError):
    pass


def digest(raw: str) -> str:
    """Keyed digest of a bearer secret; the raw value is never stored."""
    return hmac.new(settings.SECRET_KEY.encode(), raw.encode(), hashlib.sha256).hexdigest()


def create_user(email: str, password: str | None, **extra: Any) -> User:
    return User.objects.create_user(email=email, password=password, **extra)


@transaction.atomic
def invite(email: str, role: str, *, by: Membership) -> tuple[Invitation, str]:
    """Invite an e-mail address to the current workspace; returns the invitation and its link."""
    if ROLE_RANK[Role(role)] > ROLE_RANK[Role(by.role)]:
        raise InvitationError(_("You cannot grant a role above your own."))
    workspace = require_tenant()
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email.strip().lower(),
        role=role,
        token_digest=digest(raw),
        invited_by=by.user,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    link = settings.SHEQUN_BASE_URL.rstrip("/") + reverse(
        "accounts:accept_invitation", kwargs={"ws_slug": workspace.slug, "token": raw}
    )
    record("invitation.sent", target=invitation, data={"email": invitation.email, "role": role})
    transaction.on_commit(
        lambda: send_mail(
            _("You are invited to %(workspace)s on Shequn") % {"workspace": workspace.name},
            _("%(who)s invited you to join %(workspace)s as %(role)s.\n\nAccept: %(link)s")
            % {
                "who": by.user,
                "workspace": workspace.name,
                "role": Role(role).label,
                "link": link,
            },
            None,
            [invitation.email],
        )
    )
    return invitation, link


def find_invitation(workspace: Workspace, raw: str) -> Invitation | None:
    with tenant_scope(workspace):
        return Invitation.objects.filter(
            token_digest=digest(raw),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).first()


@transaction.atomic
def accept_invitation(workspace: Workspace, raw: str, user: User) -> Membership:
    invitation = find_invitation(workspace, raw)
    if invitation is None:
        raise InvitationError(_("This invitation is invalid or has expired."))
    if invitation.email != user.email.lower():
        raise InvitationError(_("This invitation was sent to another e-mail address."))
    with tenant_scope(workspace):
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        membership = tenancy_services.add_member(workspace, user, invitation.role)
        record("invitation.accepted", target=invitation, data={"email": user.email})
    return membership


@transaction.atomic
def revoke_invitation(invitation: Invitation) -> None:
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record("invitation.revoked", target=invitation, data={"email": invitation.email})


@transaction.atomic
def issue_api_token(name: str, scopes: list[str], *, by: User | None) -> tuple[ApiToken, str]:
    """A new token for the current workspace. The raw token is returned once and never stored."""
    workspace = require_tenant()
    unknown = set(scopes) - set(ApiToken.Scope.values)
    if unknown or not scopes:
        raise ValueError(f"unknown or missing scopes: {sorted(unknown)}")
    # The workspace id is part of the token so the lookup is scoped before the digest is compared.
    raw = f"{TOKEN_PREFIX}{workspace.uid.hex}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        name=name, prefix=raw[-8:], digest=digest(raw), scopes=sorted(scopes), created_by=by
    )
    record("api_token.issued", target=token, data={"name": name, "scopes": sorted(scopes)})
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record("api_token.revoked", target=token, data={"name": token.name})


def authenticate_api_token(raw: str) -> ApiToken | None:
    """The active token for this bearer value, with its workspace, or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) < len(TOKEN_PREFIX) + 34:
        return None
    try:
        workspace_uid = uuid.UUID(hex=raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 32])
    except ValueError:
        return None
    workspace = Workspace.objects.filter(uid=workspace_uid, archived_at__isnull=True).first()
    if workspace is None:
        return None
    token = (
        ApiToken.objects.for_tenant(workspace)
        .select_related("tenant")
        .filter(digest=digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # One write a minute at most per token: the API must not write on every read request.
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        ApiToken.objects.for_tenant(workspace).filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token  # type: ignore[no-any-return]  # the scoped manager is typed loosely
