"""Console → Inbox: the conversation list and one conversation (htmx polling keeps both fresh)."""

from __future__ import annotations

import uuid

from django.contrib import messages as flash
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shequn.console.views.decorators import workspace_view
from shequn.inbox import queries, services
from shequn.inbox.forms import CannedForm
from shequn.inbox.models import CannedReply, Conversation
from shequn.inbox.services import ReplyRefused
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.models import Membership
from shequn.tenancy.roles import Permission

POLL_SECONDS = 4


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


FILTERS = ("", "mine", "unassigned")


@workspace_view()
def inbox(request: HttpRequest, workspace: str) -> HttpResponse:
    assigned = request.GET.get("assigned", "")
    assigned = assigned if assigned in FILTERS else ""
    q = request.GET.get("q", "")
    found = queries.conversations(assigned=assigned, user=request.user, q=q)[:100]
    context = {
        "conversations": found,
        "assigned": assigned,
        "q": q,
        "poll": POLL_SECONDS,
        "filters": [("", _("All")), ("mine", _("Mine")), ("unassigned", _("Unassigned"))],
    }
    template = "inbox/conversations.html"
    if request.htmx and request.htmx.target == "conversation-list":  # type: ignore[attr-defined]
        template = "inbox/_conversation_rows.html"
    return render(request, template, context)


def _conversation_context(request: HttpRequest, conversation: Conversation) -> dict[str, object]:
    now = timezone.now()
    windows = services.windows_of(conversation)
    members = Membership.objects.filter(workspace=request.workspace).select_related("user")  # type: ignore[attr-defined]
    canned_text = ""
    canned_uid = request.GET.get("canned")
    if canned_uid:
        canned_text = access_by_uid(CannedReply, canned_uid).text
    return {
        "conversation": conversation,
        "thread": queries.messages_of(conversation),
        "messages_left": windows.messages_left(now),
        "open_until": windows.open_until(now),
        "members": members,
        "canned": queries.canned_replies(),
        "canned_text": canned_text,
        "poll": POLL_SECONDS,
        "can_reply": request.membership.allows(Permission.OPERATE),  # type: ignore[attr-defined]
    }


@workspace_view()
def conversation(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    found = access_by_uid(Conversation, uid)
    if request.membership.allows(Permission.OPERATE):  # type: ignore[attr-defined]
        services.mark_read(found)
    return render(request, "inbox/conversation.html", _conversation_context(request, found))


@workspace_view()
def thread(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    """The messages and the window status, polled by the open conversation."""
    found = access_by_uid(Conversation, uid)
    if request.membership.allows(Permission.OPERATE):  # type: ignore[attr-defined]
        services.mark_read(found)
    return render(request, "inbox/_thread.html", _conversation_context(request, found))


@transaction.non_atomic_requests
@workspace_view(permission=Permission.OPERATE)
def reply(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    # Not atomic: an image is uploaded to WeChat outside any transaction (see services).
    found = access_by_uid(Conversation, uid)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    image = request.FILES.get("image")
    try:
        if image is not None:
            services.send_image(found, image.read(), image.content_type or "", by=request.user)
        else:
            services.send_text(found, request.POST.get("text", ""), by=request.user)
    except ReplyRefused as exc:
        flash.error(request, str(exc))
    return redirect("console:inbox_conversation", workspace=workspace, uid=found.uid)


@workspace_view(permission=Permission.OPERATE)
def assign(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    found = access_by_uid(Conversation, uid)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    member_uid = request.POST.get("member", "")
    user = None
    if member_uid:
        parsed = _uuid_or_none(member_uid)
        membership = (
            Membership.objects.filter(
                workspace=request.workspace,  # type: ignore[attr-defined]
                uid=parsed,
            ).first()
            if parsed is not None
            else None
        )
        if membership is None:
            raise Http404
        user = membership.user
    try:
        services.assign(found, user)
        flash.success(request, _("Assignment saved."))
    except ReplyRefused as exc:
        flash.error(request, str(exc))
    return redirect("console:inbox_conversation", workspace=workspace, uid=found.uid)


@workspace_view()
def canned(request: HttpRequest, workspace: str) -> HttpResponse:
    form = CannedForm(request.POST or None)
    if request.method == "POST":
        if not request.membership.allows(Permission.OPERATE):  # type: ignore[attr-defined]
            return render(request, "console/forbidden.html", status=403)
        if form.is_valid():
            try:
                services.create_canned_reply(form.cleaned_data["title"], form.cleaned_data["text"])
                flash.success(request, _("Canned reply saved."))
                return redirect("console:inbox_canned", workspace=workspace)
            except ReplyRefused as exc:
                form.add_error(None, str(exc))
    return render(request, "inbox/canned.html", {"form": form, "canned": queries.canned_replies()})


@workspace_view(permission=Permission.OPERATE)
def canned_delete(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    found = access_by_uid(CannedReply, uid)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.delete_canned_reply(found)
    flash.success(request, _("Canned reply deleted."))
    return redirect("console:inbox_canned", workspace=workspace)
