"""Console pages per role and for tenant B, the API with two tenants, state rules, and the sticker
sheet: a real PDF with one sticker per code (3 × 4 a page), CJK label included."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import segno
from django.test import Client
from pypdf import PdfReader

from shequn.accounts import services as account_services
from shequn.core.actors import Actor, acting_as
from shequn.livecodes import services, stickers
from shequn.livecodes.models import InsertBatch, LiveCode
from shequn.livecodes.services import LiveCodeInvalid
from tests.channels.factories import make_wecom_corp
from tests.conftest import Tenant, World
from tests.ingest.conftest import as_owner


def _png(text: str) -> bytes:
    out = io.BytesIO()
    segno.make(text).save(out, kind="png", scale=4)
    return out.getvalue()


def _campaign(t: Tenant, name: str = "Spring box") -> Any:
    with t.scope(), as_owner(t):
        corp = make_wecom_corp(corpid=f"ww-{t.workspace.slug}")
        return services.create_campaign(
            name=name, corp=corp, routing="attributes", label="扫码领红包 ¥5"
        )


def _ready_lot(t: Tenant, campaign: Any, quantity: int) -> InsertBatch:
    with t.scope(), as_owner(t):
        batch = services.create_batch(campaign, lot="2025-05-B", quantity=quantity)
        for code in LiveCode.objects.filter(batch=batch):
            code.qr_png = _png(code.state)
            code.status = LiveCode.Status.ACTIVE
            code.save()
        batch.status = InsertBatch.Status.READY
        batch.save()
        return batch


def test_state_is_unique_per_corp_and_at_most_30_characters(world: World) -> None:
    campaign = _campaign(world.a)
    with world.a.scope(), as_owner(world.a):
        services.create_code(campaign, state="store-ginza")
        with pytest.raises(LiveCodeInvalid):
            services.create_code(campaign, state="store-ginza")
        with pytest.raises(LiveCodeInvalid):
            services.create_code(campaign, state="x" * 31)
        assert len(services.create_code(campaign, state="y" * 30).state) == 30
        generated = {services.create_code(campaign).state for _ in range(20)}
        assert len(generated) == 20
        assert all(len(s) <= 30 for s in generated)


def test_sticker_sheet_has_one_sticker_per_code_on_a4_pages(world: World) -> None:
    campaign = _campaign(world.a)
    batch = _ready_lot(world.a, campaign, 13)
    with world.a.scope():
        codes = list(LiveCode.objects.filter(batch=batch).order_by("serial"))
        pdf = PdfReader(io.BytesIO(stickers.sticker_pdf(codes, label=campaign.label, lot="L1")))
    assert len(pdf.pages) == 2  # 12 stickers a page
    assert round(float(pdf.pages[0].mediabox.width)) == 595  # A4
    images = sum(len(page.images) for page in pdf.pages)
    assert images == 13
    text = "".join(page.extract_text() for page in pdf.pages)
    for code in codes:
        assert stickers.short_code(code) in text


def test_console_pages_per_role_and_tenant_b_gets_404(world: World) -> None:
    campaign = _campaign(world.a)
    batch = _ready_lot(world.a, campaign, 3)
    slug = world.a.workspace.slug
    pages = [
        f"/w/{slug}/livecodes/",
        f"/w/{slug}/livecodes/{campaign.uid}/",
        f"/w/{slug}/livecodes/lots/{batch.uid}/stickers.pdf",
        f"/w/{slug}/livecodes/lots/{batch.uid}/stickers.zip",
    ]
    for user in (world.a.owner, world.a.operator.user, world.a.viewer.user):
        client = Client()
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 200, (user, url)
    viewer = Client()
    viewer.force_login(world.a.viewer.user)
    assert viewer.get(f"/w/{slug}/livecodes/new/").status_code == 403
    operator = Client()
    operator.force_login(world.a.operator.user)
    page = operator.get(f"/w/{slug}/livecodes/{campaign.uid}/")
    assert "2025-05-B" in page.content.decode()
    archive = zipfile.ZipFile(io.BytesIO(operator.get(pages[3]).content))
    assert len([n for n in archive.namelist() if n.endswith(".png")]) == 3
    answer = operator.post(
        f"/w/{slug}/livecodes/{campaign.uid}/codes/", {"label": "Ginza", "state": "z" * 31}
    )
    assert answer.status_code == 422
    b = Client()
    b.force_login(world.b.owner)
    for url in pages[1:]:
        assert b.get(url).status_code == 404


def _bearer(t: Tenant) -> Client:
    with t.scope(), acting_as(Actor(kind="user", label=t.owner.email, user_id=t.owner.pk)):
        _, raw = account_services.issue_api_token("lc", ["write"], by=t.owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_api_with_two_tenants(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        corp = make_wecom_corp(corpid="ww-api-a")
    a, b = _bearer(world.a), _bearer(world.b)
    created = a.post(
        "/api/v1/livecodes/campaigns",
        {"name": "KOL Lily", "channel_kind": "kol", "corp": str(corp.uid), "routing": "attributes"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    uid = created.json()["uid"]
    code = a.post(
        f"/api/v1/livecodes/campaigns/{uid}/codes",
        {"label": "Lily's post", "state": "kol-lily"},
        content_type="application/json",
    )
    assert code.status_code == 201
    assert code.json()["state"] == "kol-lily"
    assert code.json()["landing_url"].startswith("http")
    lot = a.post(
        f"/api/v1/livecodes/campaigns/{uid}/lots",
        {"lot": "L-9", "quantity": 4},
        content_type="application/json",
    )
    assert lot.status_code == 201
    assert lot.json()["quantity"] == 4
    listed = a.get("/api/v1/livecodes/campaigns").json()["items"]
    assert [c["codes"] for c in listed] == [5]
    assert b.get("/api/v1/livecodes/campaigns").json()["items"] == []
    assert b.get(f"/api/v1/livecodes/campaigns/{uid}").status_code == 404
    assert b.get(f"/api/v1/livecodes/campaigns/{uid}/codes").status_code == 404
    b_create = b.post(
        "/api/v1/livecodes/campaigns",
        {"name": "Steal", "corp": str(corp.uid), "routing": "attributes"},
        content_type="application/json",
    )
    assert b_create.status_code == 404  # A's corp does not exist for B
