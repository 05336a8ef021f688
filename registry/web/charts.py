"""Bar charts drawn on the server as SVG: no script, nothing fetched, readable by screen readers
through their title and a table of the same figures beside them."""

from __future__ import annotations

from xml.sax.saxutils import escape

from markupsafe import Markup

WIDTH, BAR, GAP, LABEL = 560, 22, 8, 150


def bar_chart(title: str, items: list[tuple[str, int]]) -> Markup:
    top = max((v for _, v in items), default=0) or 1
    height = max(1, len(items)) * (BAR + GAP) + GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        y = GAP + i * (BAR + GAP)
        length = (WIDTH - LABEL - 60) * value / top
        baseline = y + BAR * 0.7
        parts += [
            f'<text x="{LABEL - 8}" y="{baseline:.1f}" text-anchor="end">{escape(label)}</text>',
            f'<rect x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR}" class="bar"/>',
            f'<text x="{LABEL + length + 6:.1f}" y="{baseline:.1f}">{value}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
