"""Journey charts drawn on the server as inline SVG, in the campaign charts' colours: a ring of where the
participants are (active, completed, exited) and horizontal bars of counts by reason or path."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from campaigns.views.charts import COLORS

RING_COLORS = {"Active": "#0ea5e9", "Completed": "#16a34a", "Exited": "#f59e0b"}


def ring(parts: Sequence[tuple[str, int]], *, size: int = 160, title: str) -> SafeString:
    """A donut of the parts with the total in the middle; an empty grey ring when all are zero."""
    total = sum(n for _, n in parts)
    r, stroke = size / 2 - 14, 22
    c = 2 * math.pi * r
    half = size / 2
    out = [
        f'<svg class="ring" width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img" '
        f'aria-label="{escape(title)}"><circle cx="{half}" cy="{half}" r="{r:.1f}" fill="none" stroke="#eef1f6" '
        f'stroke-width="{stroke}"/>'
    ]
    offset = 0.0
    for index, (name, n) in enumerate(parts):
        if not n:
            continue
        length = c * n / total
        color = RING_COLORS.get(name, COLORS[index % len(COLORS)])
        out.append(
            f'<circle cx="{half}" cy="{half}" r="{r:.1f}" fill="none" stroke="{color}" stroke-width="{stroke}" '
            f'stroke-dasharray="{length:.2f} {c - length:.2f}" stroke-dashoffset="{-offset:.2f}" '
            f'transform="rotate(-90 {half} {half})"><title>{escape(name)}: {n:,}</title></circle>'
        )
        offset += length
    out.append(
        f'<text x="{half}" y="{half - 2}" class="ring-total">{total:,}</text>'
        f'<text x="{half}" y="{half + 16}" class="ring-label">participants</text></svg>'
    )
    return mark_safe("".join(out))  # noqa: S308 - numbers, fixed colours and escaped names only


def bars(rows: Sequence[tuple[str, int]], *, title: str, color: str = "#f59e0b", width: int = 640) -> SafeString:
    """Horizontal bars, one per (label, count), scaled to the largest, with the count at the end."""
    if not rows:
        return mark_safe("")
    label_w, bar_h, gap = 330, 16, 10
    height = len(rows) * (bar_h + gap) + gap
    top = max(n for _, n in rows) or 1
    plot = width - label_w - 60
    out = [f'<svg class="hbars" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">']
    for i, (label, n) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(2.0, plot * n / top) if n else 0.0
        text = label if len(label) <= 50 else label[:49] + "…"
        out.append(
            f'<text class="hb-label" x="{label_w - 8}" y="{y + bar_h - 4}">{escape(text)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="4" fill="{escape(color)}">'
            f"<title>{escape(label)}: {n:,}</title></rect>"
            f'<text class="hb-value" x="{label_w + w + 6:.1f}" y="{y + bar_h - 4}">{n:,}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - numbers and escaped labels only
