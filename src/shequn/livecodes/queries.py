"""Reading campaigns, codes, lots and attributions (tenant-scoped), with scan and add stats."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from shequn.contacts.models import Contact
from shequn.livecodes.models import Attribution, Campaign, InsertBatch, LiveCode


@dataclass(frozen=True)
class Stats:
    codes: int
    scans: int
    adds: int

    @property
    def conversion(self) -> float | None:
        """Adds per landing-page scan (a printed code scanned by WeChat adds without a scan)."""
        return self.adds / self.scans if self.scans else None


def campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("corp").order_by("-created_at", "-id")


def campaign_stats(campaign: Campaign) -> Stats:
    row = LiveCode.objects.filter(campaign=campaign).aggregate(
        codes=Count("id"), scans=Sum("scans"), adds=Sum("adds")
    )
    return Stats(codes=row["codes"] or 0, scans=row["scans"] or 0, adds=row["adds"] or 0)


def codes(campaign: Campaign, *, batch: InsertBatch | None = None) -> QuerySet[LiveCode]:
    found = LiveCode.objects.filter(campaign=campaign).select_related("campaign", "batch")
    if batch is not None:
        found = found.filter(batch=batch)
    return found.order_by("batch_id", "serial", "id")


def single_codes(campaign: Campaign) -> QuerySet[LiveCode]:
    """The campaign's codes that are not part of a sticker lot."""
    return codes(campaign).filter(batch__isnull=True).defer("qr_png")


def batches(campaign: Campaign) -> QuerySet[InsertBatch]:
    found: QuerySet[InsertBatch] = (
        InsertBatch.objects.filter(campaign=campaign)
        .annotate(
            done=Count("codes", filter=Q(codes__status=LiveCode.Status.ACTIVE)),
            failed=Count("codes", filter=Q(codes__status=LiveCode.Status.FAILED)),
            scans=Sum("codes__scans"),
            adds=Sum("codes__adds"),
        )
        .order_by("-created_at", "-id")
    )
    return found


def batch_progress(batch: InsertBatch) -> tuple[int, int]:
    """(codes ready, stickers in the lot)."""
    done = batch.codes.filter(status=LiveCode.Status.ACTIVE).count()
    return done, batch.quantity


def attributions(campaign: Campaign) -> QuerySet[Attribution]:
    return (
        Attribution.objects.filter(campaign=campaign)
        .select_related("contact", "code")
        .order_by("-at", "-id")
    )


def attributions_of(contact: Contact) -> QuerySet[Attribution]:
    """Which codes (and campaigns) brought this customer, newest first."""
    return (
        Attribution.objects.filter(contact=contact)
        .select_related("code", "campaign")
        .order_by("-at", "-id")
    )


def campaign_of_state(corp_id: int, state: str) -> Campaign | None:
    """The campaign whose live code carries this contact-way state in this corp."""
    code = LiveCode.objects.filter(corp_id=corp_id, state=state).select_related("campaign").first()
    return code.campaign if code is not None else None
