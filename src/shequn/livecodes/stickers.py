"""Printable package-insert stickers: an A4 PDF sheet (3 × 4 stickers a page, cut lines) and a
ZIP of PNGs, each with the QR, the campaign label, the lot and a short code.

CJK labels render offline with reportlab's built-in CID font (STSong-Light, which also covers
kana); PNG labels use a system CJK font when one is installed, otherwise the PNG is the bare QR
and the label travels in the file name and `codes.csv`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from shequn.livecodes.models import LiveCode

COLUMNS, ROWS = 3, 4
PER_PAGE = COLUMNS * ROWS
MARGIN = 10 * mm
CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
PNG_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


@cache
def _register_cjk() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def short_code(code: LiveCode) -> str:
    """What is printed under the QR to find the code again (its state, upper-cased)."""
    return code.state.upper()


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    while size > 5 and canvas.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def sticker_pdf(codes: Sequence[LiveCode], *, label: str, lot: str = "") -> bytes:
    """One sticker per code, in order; a code without a QR image gets an empty frame."""
    font = _register_cjk()
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{label} {lot}".strip() or "stickers")
    page_w, page_h = A4
    cell_w = (page_w - 2 * MARGIN) / COLUMNS
    cell_h = (page_h - 2 * MARGIN) / ROWS
    for index, code in enumerate(codes):
        slot = index % PER_PAGE
        if slot == 0 and index:
            pdf.showPage()
        col, row = slot % COLUMNS, slot // COLUMNS
        x = MARGIN + col * cell_w
        y = page_h - MARGIN - (row + 1) * cell_h
        pdf.setDash(2, 2)
        pdf.setLineWidth(0.3)
        pdf.rect(x, y, cell_w, cell_h)
        pdf.setDash()
        qr = min(cell_w, cell_h) - 22 * mm
        qx, qy = x + (cell_w - qr) / 2, y + cell_h - qr - 4 * mm
        if code.qr_png:
            pdf.drawImage(ImageReader(io.BytesIO(bytes(code.qr_png))), qx, qy, qr, qr)
        else:
            pdf.rect(qx, qy, qr, qr)
        text = label or code.campaign.name
        size = _fit(pdf, text, font, 11, cell_w - 6 * mm)
        pdf.setFont(font, size)
        pdf.drawCentredString(x + cell_w / 2, qy - 6 * mm, text)
        footer = f"{lot or (code.batch.lot if code.batch else '')}  {short_code(code)}".strip()
        pdf.setFont(LATIN_FONT, _fit(pdf, footer, LATIN_FONT, 7, cell_w - 6 * mm))
        pdf.drawCentredString(x + cell_w / 2, qy - 11 * mm, footer)
    if not codes:
        pdf.setFont(font, 12)
        pdf.drawString(MARGIN, page_h - MARGIN - 12, label)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@cache
def _png_font() -> str | None:
    return next((path for path in PNG_FONTS if Path(path).exists()), None)


def sticker_png(code: LiveCode, *, label: str) -> bytes:
    """The QR with the label and short code below it (bare QR without a CJK font)."""
    if not code.qr_png:
        return b""
    qr = Image.open(io.BytesIO(bytes(code.qr_png))).convert("RGB")
    font_path = _png_font()
    if font_path is None:
        return bytes(code.qr_png)
    side = max(qr.width, 400)
    qr = qr.resize((side, side), Image.Resampling.NEAREST)
    sheet = Image.new("RGB", (side + 40, side + 110), "white")
    sheet.paste(qr, (20, 20))
    draw = ImageDraw.Draw(sheet)
    big = ImageFont.truetype(font_path, 28)
    small = ImageFont.truetype(font_path, 18)
    for text, font, top in (
        (label or code.campaign.name, big, side + 30),
        (short_code(code), small, side + 72),
    ):
        width = draw.textlength(text, font=font)
        draw.text(((sheet.width - width) / 2, top), text, fill="black", font=font)
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=True)
    return out.getvalue()


def sticker_zip(codes: Iterable[LiveCode], *, label: str, landing_url: str) -> bytes:
    """PNGs named `<lot>-<serial>-<state>.png` plus `codes.csv` (state, serial, label, page)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        rows = io.StringIO()
        writer = csv.writer(rows)
        writer.writerow(["state", "lot", "serial", "label", "landing_page", "file"])
        for code in codes:
            lot = code.batch.lot if code.batch else ""
            name = "-".join(p for p in (lot, str(code.serial or ""), code.state) if p) + ".png"
            png = sticker_png(code, label=label)
            if png:
                archive.writestr(name, png)
            writer.writerow(
                [
                    code.state,
                    lot,
                    code.serial or "",
                    label,
                    landing_url.replace("TOKEN", code.token),
                    name if png else "",
                ]
            )
        archive.writestr("codes.csv", rows.getvalue())
    return buffer.getvalue()
