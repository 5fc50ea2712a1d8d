"""Console → Inbox → Auto-replies: rules per account, edit, reorder, enable, and "try it"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shequn.channels import queries as channel_queries
from shequn.console.views.decorators import workspace_view
from shequn.inbox import queries, rules
from shequn.inbox.forms import RuleForm, TryForm, articles_to_text
from shequn.inbox.models import AutoReplyRule
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission


def _account(uid: str) -> Any:
    from django.http import Http404

    found = next((a for a in channel_queries.official_accounts() if str(a.uid) == uid), None)
    if found is None:
        raise Http404
    return found


@workspace_view()
def rule_list(request: HttpRequest, workspace: str) -> HttpResponse:
    accounts = list(channel_queries.official_accounts())
    selected = request.GET.get("account") or (str(accounts[0].uid) if accounts else "")
    account = next((a for a in accounts if str(a.uid) == selected), None)
    form = TryForm(request.GET or None)
    tried = None
    if account is not None and form.is_valid() and form.cleaned_data["text"]:
        tried = {
            "text": form.cleaned_data["text"],
            "rule": rules.try_text(account, form.cleaned_data["text"]),
        }
    context = {
        "accounts": accounts,
        "account": account,
        "rules": queries.rules_of(account) if account is not None else [],
        "try_form": form,
        "tried": tried,
        "can_edit": request.membership.allows(Permission.MANAGE_CONTENT),  # type: ignore[attr-defined]
    }
    template = "inbox/rules.html"
    if request.htmx and request.htmx.target == "try-result":  # type: ignore[attr-defined]
        template = "inbox/_try_result.html"
    return render(request, template, context)


def _initial(rule: AutoReplyRule) -> dict[str, Any]:
    values = {name: getattr(rule, name) for name in rules.EDITABLE}
    values["articles"] = articles_to_text(rule.articles)
    values["account"] = str(rule.account.uid)
    return values


def _edit(request: HttpRequest, workspace: str, rule: AutoReplyRule | None) -> HttpResponse:
    accounts = list(channel_queries.official_accounts())
    initial = _initial(rule) if rule is not None else {"account": request.GET.get("account", "")}
    form = RuleForm(request.POST or None, initial=initial, accounts=accounts)
    if request.method == "POST" and form.is_valid():
        try:
            if rule is None:
                saved = rules.create_rule(_account(form.cleaned_data["account"]), **form.values())
            else:
                saved = rules.update_rule(rule, **form.values())
        except rules.RuleInvalid as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            flash.success(request, _("Auto-reply saved."))
            url = redirect("console:inbox_rules", workspace=workspace)
            url["Location"] += f"?account={saved.account.uid}"
            return url
    return render(request, "inbox/rule_form.html", {"form": form, "rule": rule})


@workspace_view(permission=Permission.MANAGE_CONTENT)
def rule_new(request: HttpRequest, workspace: str) -> HttpResponse:
    return _edit(request, workspace, None)


@workspace_view(permission=Permission.MANAGE_CONTENT)
def rule_edit(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    return _edit(request, workspace, access_by_uid(AutoReplyRule, uid))


def _back(workspace: str, rule: AutoReplyRule) -> HttpResponse:
    response = redirect("console:inbox_rules", workspace=workspace)
    response["Location"] += f"?account={rule.account.uid}"
    return response


@workspace_view(permission=Permission.MANAGE_CONTENT)
def rule_toggle(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    rule = access_by_uid(AutoReplyRule, uid)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    rules.update_rule(rule, enabled=not rule.enabled)
    return _back(workspace, rule)


@workspace_view(permission=Permission.MANAGE_CONTENT)
def rule_move(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    rule = access_by_uid(AutoReplyRule, uid)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    rules.move_rule(rule, "up" if request.POST.get("direction") == "up" else "down")
    return _back(workspace, rule)


@workspace_view(permission=Permission.MANAGE_CONTENT)
def rule_delete(request: HttpRequest, workspace: str, uid: str) -> HttpResponse:
    rule = access_by_uid(AutoReplyRule, uid)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    rules.delete_rule(rule)
    flash.success(request, _("Auto-reply deleted."))
    return _back(workspace, rule)
