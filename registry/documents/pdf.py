"""PDF building blocks shared by the certificate and the verification report: an embedded CJK
font, bilingual labels (Chinese, with the English beneath), tables that wrap long hex, QR codes,
the center's registration seal, the registry's deployment, and page numbers. Output is
byte-for-byte deterministic for the same content (the creation date is the document's own, the
document id fixed), so a document can be rebuilt and its hash compared."""

from __future__ import annotations

import datetime as dt
import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from registry.times import BEIJING

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
SEAL_RED = colors.HexColor("#d7000f")


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


def heading(zh: str, en: str, size: float = 18) -> list[Flowable]:
    return [
        Paragraph(escape(zh), style(size, leading=size * 4 / 3)),
        Paragraph(escape(en), style(size * 0.55, MUTED, leading=size * 0.9)),
    ]


def section(zh: str, en: str, *body: Flowable, size: float = 18) -> KeepTogether:
    """A heading (of ``size`` points) kept on the page of what follows it."""
    return KeepTogether([*heading(zh, en, size), *body])


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


def seal(center_zh: str, size: float = 40 * mm) -> Drawing:
    """The center's registration seal (登记专用章), drawn: a red ring, the center's name along
    its upper arc, a five-pointed star in the middle and the seal's use beneath it, as the
    official seals of Chinese bodies are laid out. Vector graphics, so it prints sharp."""
    drawing = Drawing(size, size)
    middle, radius = size / 2, size / 2 - 1.5
    drawing.add(
        Circle(middle, middle, radius, strokeColor=SEAL_RED, strokeWidth=2.2, fillColor=None)
    )
    outer, inner = size * 0.15, size * 0.06
    drawing.add(
        Polygon(
            [
                coordinate
                for point in range(10)
                for coordinate in (
                    middle
                    + (outer if point % 2 == 0 else inner)
                    * math.cos(math.radians(90 + 36 * point)),
                    middle
                    + (outer if point % 2 == 0 else inner)
                    * math.sin(math.radians(90 + 36 * point)),
                )
            ],
            fillColor=SEAL_RED,
            strokeColor=None,
        )
    )
    letters = list(center_zh)
    letter = min(size * 0.13, size * 2.6 / max(len(letters), 1))
    span = min(250.0, 22.0 * len(letters))
    along = radius - 2.5 - letter
    for i, character in enumerate(letters):
        # Clockwise from the left over the top, each letter upright towards the ring.
        angle = math.radians(
            90 + span / 2 - (span * i / (len(letters) - 1) if len(letters) > 1 else span / 2)
        )
        turn = angle - math.pi / 2
        glyph = Group(
            String(
                0,
                0,
                character,
                fontName=font(),
                fontSize=letter,
                fillColor=SEAL_RED,
                textAnchor="middle",
            )
        )
        glyph.transform = (
            math.cos(turn),
            math.sin(turn),
            -math.sin(turn),
            math.cos(turn),
            middle + along * math.cos(angle),
            middle + along * math.sin(angle),
        )
        drawing.add(glyph)
    drawing.add(
        String(
            middle,
            size * 0.2,
            "登记专用章",
            fontName=font(),
            fontSize=size * 0.09,
            fillColor=SEAL_RED,
            textAnchor="middle",
        )
    )
    return drawing


@dataclass(frozen=True)
class Deployed:
    """The registry's deployment, as ``/.well-known/data-property-registry`` publishes it: what a
    reader checks a receipt or a certificate against on chain."""

    chain_id: int
    roles: str
    evidence: str
    certificates: str


def deployment(deployed: Deployed) -> KeepTogether:
    """The deployment as a section of a document."""
    label = 34 * mm
    return section(
        "登记机构链上部署",
        "The registry's deployment (check against /.well-known/data-property-registry)",
        rows(
            [
                (bilingual("链标识", "Chain id"), text(str(deployed.chain_id), 8)),
                (bilingual("角色合约", "Roles contract"), text(deployed.roles, 8)),
                (bilingual("存证合约", "Evidence contract"), text(deployed.evidence, 8)),
                (bilingual("证书合约", "Certificate contract"), text(deployed.certificates, 8)),
            ],
            [label, CONTENT_WIDTH - label],
        ),
        size=12,
    )


def pdf_date(timestamp: int) -> str:
    """A PDF date (ISO 32000 7.9.4) of ``timestamp`` in Beijing time."""
    return dt.datetime.fromtimestamp(timestamp, BEIJING).strftime("D:%Y%m%d%H%M%S+08'00'")


def _numbered(footer: str, created_at: int) -> type[Canvas]:
    """A canvas that writes "page n of N" and ``footer`` on every page (N is known only once
    all are laid out, so the pages are kept until then), and ``created_at`` as the PDF's
    creation date."""

    class Numbered(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []
            self.setDateFormatter(lambda *_parts: pdf_date(created_at))

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._pages.append(dict(self.__dict__))
            # What Canvas.showPage does after writing the page: the page is written in save.
            self._startPage()  # type: ignore[attr-defined]

        def save(self) -> None:
            total = len(self._pages)
            for number, page in enumerate(self._pages, 1):
                self.__dict__.update(page)
                self.setFont(font(), 7.5)
                self.setFillColor(MUTED)
                self.drawString(18 * mm, 9 * mm, footer)
                self.drawRightString(
                    A4[0] - 18 * mm,
                    9 * mm,
                    f"第 {number} 页 共 {total} 页 Page {number} of {total}",
                )
                super().showPage()
            super().save()

    return Numbered


def render(
    story: list[Flowable], title: str, subject: str, *, created_at: int, footer: str
) -> bytes:
    """The PDF of ``story``: ``created_at`` (Unix seconds) its creation date, ``footer`` on
    every page beside its number."""
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
    doc.build(story, canvasmaker=_numbered(footer, created_at))
    return out.getvalue()


CONTENT_WIDTH = A4[0] - 36 * mm
