"""PDF building blocks shared by the certificate and the verification report: an embedded CJK
font, bilingual labels (Chinese, with the English beneath), tables that wrap long hex, and QR
codes. Output is byte-for-byte deterministic for the same content (no creation time or random
document id), so a document can be rebuilt and its hash compared."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

FONT = "RegistryCJK"
# TrueType-outline CJK fonts from Debian packages (fonts-wqy-microhei, fonts-wqy-zenhei,
# fonts-arphic-uming); ReportLab embeds TrueType outlines but not the CFF ones of Noto CJK.
_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#9aa5b1")
PASS = colors.HexColor("#1b7f3b")
FAIL = colors.HexColor("#b42318")


class FontMissingError(RuntimeError):
    """No CJK font to embed: Chinese text would print as empty boxes."""


@cache
def font() -> str:
    """Registers the CJK font once (``REGISTRY_PDF_FONT`` names another TrueType file)."""
    chosen = os.environ.get("REGISTRY_PDF_FONT")
    paths = [Path(chosen)] if chosen else [Path(p) for p in _CANDIDATES]
    for path in paths:
        if path.is_file():
            pdfmetrics.registerFont(TTFont(FONT, str(path), subfontIndex=0))
            return FONT
    raise FontMissingError(
        "no CJK TrueType font found: install the Debian package fonts-wqy-microhei "
        "or set REGISTRY_PDF_FONT"
    )


def style(
    size: float = 9, color: colors.Color = INK, leading: float | None = None
) -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}",
        fontName=font(),
        fontSize=size,
        leading=leading or size * 1.35,
        textColor=color,
        wordWrap="CJK",  # breaks Chinese and 64-digit hex alike
    )


def text(value: object, size: float = 9, color: colors.Color = INK) -> Paragraph:
    """A paragraph of untrusted text: escaped, never read as markup; newlines kept."""
    return Paragraph(escape(str(value)).replace("\n", "<br/>"), style(size, color))


def bilingual(zh: str, en: str, size: float = 9) -> Paragraph:
    """Chinese, with its English beneath in a smaller, muted line."""
    return Paragraph(
        f'{escape(zh)}<br/><font size="{size * 0.75:.1f}" color="#52606d">{escape(en)}</font>',
        style(size),
    )


def heading(zh: str, en: str) -> list[Flowable]:
    return [
        Paragraph(escape(zh), style(18, leading=24)),
        Paragraph(escape(en), style(10, MUTED, leading=16)),
    ]


def section(zh: str, en: str, *body: Flowable) -> KeepTogether:
    """A heading kept on the page of what follows it."""
    return KeepTogether([*heading(zh, en), *body])


def rows(
    body: Sequence[Sequence[Flowable | str]],
    widths: Sequence[float],
    header: bool = False,
) -> Table:
    """A ruled table; the first row is a header when ``header``."""
    table = Table([list(r) for r in body], colWidths=list(widths), repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")))
    table.setStyle(TableStyle(commands))
    return table


def qr(url: str, size: float = 32 * mm) -> Drawing:
    """A QR code of ``url`` (error correction M), ``size`` points square."""
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def render(story: list[Flowable], title: str, subject: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        subject=subject,
        author="data-rights-registry",
        creator="data-rights-registry",
        invariant=1,
    )
    doc.build(story)
    return out.getvalue()


CONTENT_WIDTH = A4[0] - 36 * mm
