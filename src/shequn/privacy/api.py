"""/api/v1: consent per contact and data-subject requests (export now, erasure queued)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Query, Router, Schema

from shequn.api.errors import ApiError
from shequn.api.pagination import PageParams, page_schema, paginate
from shequn.contacts.models import Contact
from shequn.privacy import queries, services
from shequn.privacy.models import ConsentRecord, DataSubjectRequest
from shequn.tenancy.access import access_by_uid

router = Router(tags=["privacy"])


class ConsentOut(Schema):
    purpose: str
    granted: bool
    at: datetime
    source: str
    evidence: str


class ConsentsOut(Schema):
    current: dict[str, ConsentOut | None]
    history: list[ConsentOut]


class ConsentIn(Schema):
    purpose: Literal["marketing", "profiling", "cross_border"]
    granted: bool
    source: Literal["form", "import", "wechat_oauth", "operator", "api"] = "api"
    evidence: str = ""
    at: datetime | None = None


class RequestIn(Schema):
    contact: UUID
    kind: Literal["export", "erasure"]


class RequestOut(Schema):
    uid: UUID
    kind: str
    state: str
    subject_ref: str
    requested_at: datetime
    completed_at: datetime | None
    summary: dict[str, Any]


class ExportOut(RequestOut):
    document: dict[str, Any]


def _consent(row: ConsentRecord) -> ConsentOut:
    return ConsentOut(
        purpose=row.purpose,
        granted=row.granted,
        at=row.at,
        source=row.source,
        evidence=row.evidence,
    )


def _contact(uid: str | UUID) -> Contact:
    return access_by_uid(Contact, uid, merged_into__isnull=True)


def _request(row: DataSubjectRequest) -> dict[str, Any]:
    return {name: getattr(row, name) for name in RequestOut.model_fields}


def _consents(contact: Contact) -> ConsentsOut:
    return ConsentsOut(
        current={
            p: (_consent(r) if r else None) for p, r in queries.current_consents(contact).items()
        },
        history=[_consent(r) for r in queries.history(contact)],
    )


@router.get("/contacts/{uid}/consents", response=ConsentsOut, summary="A contact's consents")
def get_consents(request: HttpRequest, uid: str) -> ConsentsOut:
    return _consents(_contact(uid))


@router.post(
    "/contacts/{uid}/consents", response={201: ConsentsOut}, summary="Grant or withdraw consent"
)
def post_consent(
    request: HttpRequest, uid: str, payload: Body[ConsentIn | None] = None
) -> tuple[int, ConsentsOut]:
    # The body is optional in the schema so that another tenant's uid answers 404 before 422.
    contact = _contact(uid)
    if payload is None:
        raise ApiError(422, "validation_error", _("A purpose and granted are required."))
    write = services.grant if payload.granted else services.withdraw
    write(contact, payload.purpose, source=payload.source, evidence=payload.evidence, at=payload.at)
    return 201, _consents(contact)


@router.get("/privacy/requests", response=page_schema(RequestOut), summary="Data-subject requests")
def list_requests(request: HttpRequest, page: Query[PageParams]) -> dict[str, Any]:
    return paginate(
        queries.requests(),
        page,
        order_by="-requested_at",
        serialize=lambda r: RequestOut(**_request(r)),
    )


@router.get("/privacy/requests/{uid}", response=RequestOut, summary="One data-subject request")
def get_request(request: HttpRequest, uid: str) -> RequestOut:
    return RequestOut(**_request(access_by_uid(DataSubjectRequest, uid)))


@router.post(
    "/privacy/requests",
    response={200: ExportOut, 202: RequestOut},
    summary="Export everything about a person, or erase them",
)
def post_request(request: HttpRequest, payload: RequestIn) -> tuple[int, Any]:
    try:
        contact = _contact(payload.contact)
    except Http404 as exc:
        raise ApiError(404, "contact_not_found", _("No such contact.")) from exc
    if payload.kind == "export":
        row, document = services.request_export(contact)
        plain = json.loads(json.dumps(document, cls=DjangoJSONEncoder))
        return 200, ExportOut(**_request(row), document=plain)
    return 202, RequestOut(**_request(services.request_erasure(contact)))
