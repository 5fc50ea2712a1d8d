"""The pre-join questionnaire: a customer opens a signed link (no sign-in), answers one date
question, and is shown the join code of the group pool the answer routes to."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect

from shequn.community import services
from shequn.community.forms import AnswerForm
from shequn.community.models import Questionnaire
from shequn.contacts.models import Contact
from shequn.contacts.services import AttributeValueError
from shequn.tenancy.models import Workspace
from shequn.tenancy.scope import tenant_scope

MAX_AGE = 60 * 60 * 24 * 30  # a link works for 30 days


def _load(token: str) -> dict[str, Any]:
    try:
        data: dict[str, Any] = signing.loads(
            token, salt=services.QUESTIONNAIRE_SALT, max_age=MAX_AGE
        )
    except signing.BadSignature as exc:
        raise Http404 from exc
    return data


@csrf_protect
def questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    data = _load(token)
    workspace = Workspace.objects.filter(
        pk=int(data.get("w") or 0), archived_at__isnull=True
    ).first()
    if workspace is None:
        raise Http404
    with tenant_scope(workspace):
        q = Questionnaire.objects.filter(uid=data.get("q"), active=True).first()
        contact = Contact.objects.filter(uid=data.get("c"), merged_into__isnull=True).first()
        if q is None or contact is None:
            raise Http404
        form = AnswerForm(request.POST or None)
        invitation = None
        answered = False
        if request.method == "POST" and form.is_valid():
            try:
                invitation = services.answer_questionnaire(q, contact, form.cleaned_data["answer"])
                answered = True
            except AttributeValueError as exc:
                form.add_error("answer", str(exc))
        context = {
            "questionnaire": q,
            "form": form,
            "answered": answered,
            "invitation": invitation,
        }
        return render(request, "community/public_questionnaire.html", context)
