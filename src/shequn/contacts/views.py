"""Console → Contacts: the list (filters, saved views, bulk tagging) and one contact's profile."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequn.console.views.decorators import workspace_view
from shequn.contacts import queries, services
from shequn.contacts.forms import ProfileForm
from shequn.contacts.models import Contact, ContactMerge, Identity, Tag
from shequn.contacts.timeline_labels import channel_label, channel_names, describe
from shequn.privacy import queries as privacy_queries
from shequn.privacy.models import Purpose
from shequn.segments import queries as segment_queries
from shequn.segments import services as segment_services
from shequn.segments.models import Segment
from shequn.tenancy.access import access_by_uid
from shequn.tenancy.roles import Permission

PAGE_SIZE = 50
TIMELINE_PAGE = 20
SORTS = ("name", "lifecycle", "first_touch", "last_touch", "created")


def _can(request: HttpRequest, permission: Permission) -> bool:
    return bool(request.membership.allows(permission))  # type: ignore[attr-defined]


def _uid_or_none(model: Any, uid: str) -> Any | None:
    if not uid:
        return None
    try:
        return model.objects.filter(uid=uid).first()
    except (ValidationError, ValueError):  # a malformed uid in a query string: no filter
        return None


# -- the list --------------------------------------------------------------------------------


def _filters(params: QueryDict) -> dict[str, Any]:
    sort = params.get("sort", "-created")
    if sort.lstrip("-") not in SORTS:
        sort = "-created"
    lifecycle = params.get("lifecycle", "")
    return {
        "q": params.get("q", "").strip()[:200],
        "tag": _uid_or_none(Tag, params.get("tag", "")),
        "channel": params.get("channel", "").strip()[:80],
        "lifecycle": lifecycle if lifecycle in Contact.Lifecycle.values else "",
        "segment": _uid_or_none(Segment, params.get("segment", "")),
        "sort": sort,
    }


def _query_of(filters: dict[str, Any]) -> str:
    values = {
        "q": filters["q"],
        "tag": str(filters["tag"].uid) if filters["tag"] else "",
        "channel": filters["channel"],
        "lifecycle": filters["lifecycle"],
        "segment": str(filters["segment"].uid) if filters["segment"] else "",
        "sort": filters["sort"] if filters["sort"] != "-created" else "",
    }
    return urlencode({k: v for k, v in values.items() if v})


def _segment_rules(filters: dict[str, Any]) -> dict[str, Any] | None:
    """The filter as segment rules, or None when a part of it has no segment condition."""
    if filters["q"] or filters["lifecycle"] or filters["segment"]:
        return None
    rows: list[dict[str, Any]] = []
    if filters["tag"]:
        rows.append({"kind": "has_tag", "tag": str(filters["tag"].uid)})
    if filters["channel"]:
        rows.append({"kind": "source_channel", "channel": filters["channel"], "scene": ""})
    return {"all": rows} if rows else None


def _channel_options(names: dict[str, str]) -> list[tuple[str, str]]:
    options = [("oa", _("Any official account")), ("wecom", _("Any WeCom corp"))]
    return options + sorted(names.items(), key=lambda item: item[1])


def _results_context(
    request: HttpRequest, filters: dict[str, Any], page_number: Any = None
) -> dict[str, Any]:
    found = queries.filter_contacts(
        filters["q"],
        tag=filters["tag"],
        source_channel=filters["channel"],
        lifecycle=filters["lifecycle"],
        sort=filters["sort"],
    )
    if filters["segment"] is not None:
        members = segment_queries.member_contacts(filters["segment"]).values("pk")
        found = found.filter(pk__in=members)
    page = Paginator(found, PAGE_SIZE).get_page(page_number or request.GET.get("page"))
    current = filters["sort"]
    names = channel_names()
    return {
        "page": page,
        "total": page.paginator.count,
        "filters": filters,
        "filter_query": _query_of(filters),
        "next_sort": {s: (f"-{s}" if current == s else s) for s in SORTS},
        "sort_key": current.lstrip("-"),
        "sort_descending": current.startswith("-"),
        "rows": [(c, channel_label(c.first_touch_channel, names)) for c in page.object_list],
        "all_tags": list(queries.tags_with_counts()),
        "can_edit": _can(request, Permission.OPERATE),
    }


def _list_context(request: HttpRequest, filters: dict[str, Any]) -> dict[str, Any]:
    names = channel_names()
    return {
        **_results_context(request, filters),
        "channel_options": _channel_options(names),
        "lifecycles": Contact.Lifecycle.choices,
        "saved_views": list(segment_queries.segments()),
        "can_save_view": _segment_rules(filters) is not None,
    }


@workspace_view()
def contact_list(request: HttpRequest, workspace: str) -> HttpResponse:
    filters = _filters(request.GET)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "contact-results":
        return render(request, "contacts/_results.html", _results_context(request, filters))
    return render(request, "contacts/list.html", _list_context(request, filters))


@require_POST
@workspace_view(permission=Permission.OPERATE)
def contact_bulk(request: HttpRequest, workspace: str) -> HttpResponse:
    """Tag or untag the ticked contacts; a WeChat limit is shown above the list, nothing done."""
    params = QueryDict(request.POST.get("filter_query", ""))
    tag = _uid_or_none(Tag, request.POST.get("bulk_tag", ""))
    uids = request.POST.getlist("contact")[: PAGE_SIZE * 4]
    people = [c for uid in uids if (c := _uid_or_none(Contact, uid)) and not c.merged_into_id]
    level, text = "error", ""
    if tag is None:
        text = _("Choose a tag.")
    elif not people:
        text = _("Tick at least one contact.")
    else:
        try:
            with transaction.atomic():
                if request.POST.get("action") == "untag":
                    done = services.untag_contacts(tag, people)
                    text = _("Removed “%(tag)s” from %(count)d contacts.")
                else:
                    done = services.tag_contacts(tag, people)
                    text = _("Tagged %(count)d contacts with “%(tag)s”.")
            level, text = "success", text % {"tag": tag.name, "count": done}
        except services.TagLimitError as exc:
            text = str(exc)
    if request.headers.get("HX-Request"):
        found = _results_context(request, _filters(params), params.get("page"))
        context = {**found, "notice": (level, text)}
        return render(request, "contacts/_results.html", context)
    (flash.success if level == "success" else flash.error)(request, text)
    url = f"{request.path.rsplit('bulk/', 1)[0]}?{params.urlencode()}"
    return redirect(url)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def contact_save_view(request: HttpRequest, workspace: str) -> HttpResponse:
    """Keep the current filter as a segment: it then appears among the saved views."""
    params = QueryDict(request.POST.get("filter_query", ""))
    rules = _segment_rules(_filters(params))
    back = f"{request.path.rsplit('save-view/', 1)[0]}?{params.urlencode()}"
    if rules is None:
        flash.error(request, _("Only a filter by tag and source channel can be saved as a view."))
        return redirect(back)
    try:
        segment = segment_services.create_segment(request.POST.get("name", ""), rules)
    except (segment_services.RuleInvalid, ValueError) as exc:
        errors = exc.errors if isinstance(exc, segment_services.RuleInvalid) else [str(exc)]
        flash.error(request, " ".join(errors))
        return redirect(back)
    flash.success(request, _("Saved view “%(name)s” created.") % {"name": segment.name})
    return redirect(f"{back.split('?', 1)[0]}?segment={segment.uid}")


# -- the profile -----------------------------------------------------------------------------


def _contact(uid: object) -> Contact:
    return access_by_uid(Contact, str(uid))


def _timeline_page(contact: Contact, number: Any) -> dict[str, Any]:
    page = Paginator(queries.timeline(contact), TIMELINE_PAGE).get_page(number)
    names = channel_names()
    return {"timeline": [describe(e, names) for e in page.object_list], "timeline_page": page}


def _merges(contact: Contact) -> list[dict[str, Any]]:
    rows = []
    for m in queries.merges_of(contact).select_related("kept", "merged"):
        rows.append({"merge": m, "other": m.merged if m.kept_id == contact.pk else m.kept})
    return rows


def _as_input(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _attribute_rows(
    contact: Contact, errors: dict[str, str], submitted: dict[str, str]
) -> list[dict[str, Any]]:
    return [
        {
            "definition": definition,
            "value": value,
            "months": months,
            "input": submitted.get(definition.key, _as_input(value)),
            "error": errors.get(definition.key, ""),
        }
        for definition, value, months in queries.attribute_values(contact)
    ]


def _profile(
    request: HttpRequest,
    contact: Contact,
    *,
    profile_form: ProfileForm | None = None,
    attribute_errors: dict[str, str] | None = None,
    attribute_input: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    names = channel_names()
    tags = list(queries.tags_of(contact))
    consents = privacy_queries.current_consents(contact)
    context = {
        "contact": contact,
        "identities": [
            {
                "identity": i,
                "kind": Identity.Kind(i.kind).label if i.kind in Identity.Kind.values else i.kind,
                "channel": channel_label(i.channel_ref, names),
            }
            for i in queries.identities_of(contact)
        ],
        "first_touch": channel_label(contact.first_touch_channel, names),
        "last_touch": channel_label(contact.last_touch_channel, names),
        "profile_form": profile_form or ProfileForm.for_contact(contact),
        "attributes": _attribute_rows(contact, attribute_errors or {}, attribute_input or {}),
        "tags": tags,
        "other_tags": [t for t in queries.tags_with_counts() if t not in tags],
        "follows": list(queries.follows_of(contact)),
        "memberships": list(queries.group_memberships_of(contact)),
        "merges": _merges(contact),
        "consents": [(Purpose(p).label, r) for p, r in consents.items()],
        "can_edit": _can(request, Permission.OPERATE),
        "can_export": _can(request, Permission.EXPORT_DATA),
        **_timeline_page(contact, 1),
    }
    return render(request, "contacts/profile.html", context, status=status)


@workspace_view()
def contact_profile(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    contact = _contact(uid)
    if contact.merged_into_id is not None:
        kept = services.resolve(contact)
        return redirect("console:contacts_profile", workspace=workspace, uid=kept.uid)
    return _profile(request, contact)


def _live(uid: object) -> Contact:
    return access_by_uid(Contact, str(uid), merged_into__isnull=True)


@workspace_view()
def contact_timeline(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    """htmx: the next page of the timeline ("load more")."""
    contact = _live(uid)
    context = {"contact": contact, **_timeline_page(contact, request.GET.get("page", 2))}
    return render(request, "contacts/_timeline.html", context)


def _back(workspace: str, contact: Contact) -> HttpResponse:
    return redirect("console:contacts_profile", workspace=workspace, uid=contact.uid)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def contact_edit(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    contact = _live(uid)
    form = ProfileForm(request.POST)
    if not form.is_valid():
        return _profile(request, contact, profile_form=form, status=422)
    services.update_profile(contact, **form.cleaned_data)
    flash.success(request, _("Profile saved."))
    return _back(workspace, contact)


class _KeepNothing(Exception):
    """Raised to roll back every attribute of a form that had an invalid one."""


@require_POST
@workspace_view(permission=Permission.OPERATE)
def contact_attributes(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    """Every custom field at once: all saved, or none and each problem shown by its field."""
    contact = _live(uid)
    errors: dict[str, str] = {}
    submitted: dict[str, str] = {}
    try:
        with transaction.atomic():
            for definition in queries.attribute_definitions():
                name = f"attr_{definition.key}"
                if name not in request.POST:
                    continue
                submitted[definition.key] = value = request.POST.get(name, "")
                try:
                    with transaction.atomic():
                        services.set_attribute(contact, definition, value)
                except services.AttributeValueError as exc:
                    errors[definition.key] = str(exc)
            if errors:
                raise _KeepNothing
    except _KeepNothing:
        return _profile(
            request, contact, attribute_errors=errors, attribute_input=submitted, status=422
        )
    flash.success(request, _("Attributes saved."))
    return _back(workspace, contact)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def contact_tags(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    """Add a tag (an existing one, or a new one by name) or remove one."""
    contact = _live(uid)
    try:
        with transaction.atomic():
            if request.POST.get("action") == "remove":
                tag = access_by_uid(Tag, request.POST.get("tag", ""))
                services.untag_contacts(tag, [contact])
                flash.success(request, _("Tag “%(tag)s” removed.") % {"tag": tag.name})
            else:
                name = request.POST.get("new_tag", "").strip()
                found = Tag.objects.filter(name=" ".join(name.split())).first() if name else None
                tag = found or (
                    services.create_tag(name)
                    if name
                    else access_by_uid(Tag, request.POST.get("tag", ""))
                )
                services.tag_contacts(tag, [contact])
                flash.success(request, _("Tag “%(tag)s” added.") % {"tag": tag.name})
    except services.TagLimitError as exc:
        flash.error(request, str(exc))
    return _back(workspace, contact)


@require_POST
@workspace_view(permission=Permission.OPERATE)
def merge_undo(request: HttpRequest, workspace: str, uid: object) -> HttpResponse:
    record = access_by_uid(ContactMerge, str(uid))
    kept = services.resolve(Contact.objects.get(pk=record.kept_id))
    try:
        restored = services.unmerge(record)
    except services.UnmergeError as exc:
        flash.error(request, str(exc))
        return _back(workspace, kept)
    flash.success(
        request,
        _("Merge undone: %(name)s is a contact of their own again.") % {"name": str(restored)},
    )
    return _back(workspace, kept)
