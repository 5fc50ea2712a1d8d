"""Factories for the tenant-isolation walk: a campaign, a live code, a sticker lot and an
attribution, via services (no WeCom call: provisioning is enqueued after a commit that the walk's
test transaction never makes)."""

from __future__ import annotations

import io
import uuid
from typing import Any

from django.utils import timezone
from PIL import Image

from shequn.livecodes import services
from shequn.livecodes.models import InsertBatch, LiveCode
from tests.channels.factories import make_wecom_corp


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (21, 21), 255).save(out, format="PNG")
    return out.getvalue()


def _provisioned(codes: Any) -> None:
    """What provisioning leaves behind once WeCom answered: a contact way and its QR image."""
    for live in codes:
        LiveCode.objects.filter(pk=live.pk).update(
            config_id=f"walk-{live.pk}", qr_png=_png(), status=LiveCode.Status.ACTIVE
        )


def factories(built_type: Any) -> dict[str, Any]:
    made: dict[str, Any] = {}

    def campaign(t: Any) -> Any:
        if "campaign" not in made:
            corp = make_wecom_corp(name="Sakura LC corp", corpid="ww00000000000000w7")
            made["campaign"] = services.create_campaign(
                name="sakura-livecode-campaign-marker",
                corp=corp,
                routing="attributes",
                label="sakura-sticker-label-marker",
            )
        return made["campaign"]

    def built_campaign(t: Any) -> Any:
        made.clear()
        return built_type(campaign(t), ["sakura-livecode-campaign-marker"])

    def code(t: Any) -> Any:
        made["code"] = services.create_code(
            campaign(t), label="sakura-code-label-marker", state="sakura-state-marker"
        )
        _provisioned([made["code"]])
        return built_type(made["code"], ["sakura-code-label-marker", "sakura-state-marker"])

    def batch(t: Any) -> Any:
        lot = services.create_batch(campaign(t), lot="sakura-lot-marker", quantity=2)
        _provisioned(LiveCode.objects.filter(batch=lot))
        InsertBatch.objects.filter(pk=lot.pk).update(status=InsertBatch.Status.READY)
        return built_type(lot, ["sakura-lot-marker"])

    def attribution(t: Any) -> Any:
        live = made.get("code") or services.create_code(campaign(t), state="sakura-attr-state")
        event = services.AddEvent(
            corp=live.corp,
            channel_ref=f"wecom:{live.corp.uid}",
            state=live.state,
            external_userid="wm-sakura-walk-external",
            staff_userid="sakura-walk-staff",
            at=timezone.now(),
            event_uid=uuid.uuid4(),
        )
        return built_type(services.record_add(event), ["wm-sakura-walk-external"])

    return {
        "livecodes.campaign": built_campaign,
        "livecodes.livecode": code,
        "livecodes.insertbatch": batch,
        "livecodes.attribution": attribution,
    }
