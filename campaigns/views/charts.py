"""Charts drawn on the server as inline SVG (no chart library): sparklines for the list, line charts for the detail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

COLORS = ("#4f46e5", "#0ea5e9", "#16a34a", "#f59e0b", "#dc2626", "#9333ea")


def sparkline(values: Sequence[int], *, width: int = 120, height: int = 28) -> SafeString:
    """A small area chart of the values (sends per day), scaled to the largest one."""
    if not values or not any(values):
        return format_html(
            '<svg class="spark empty" width="{}" height="{}" aria-hidden="true">'
            '<line x1="0" y1="{}" x2="{}" y2="{}"/></svg>',
            width,
            height,
            height - 2,
            width,
            height - 2,
        )
    top = max(values)
    step = width / max(len(values) - 1, 1)
    points = [(round(i * step, 1), round(height - 2 - (v / top) * (height - 6), 1)) for i, v in enumerate(values)]
    line = " ".join(f"{x},{y}" for x, y in points)
    area = f"0,{height} {line} {width},{height}"
    # Only numbers go into this markup.
    return mark_safe(  # noqa: S308
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{sum(values):,} sends in the last {len(values)} days">'
        f'<polygon points="{area}"/><polyline points="{line}"/></svg>'
    )


def _nice(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 25_000, 50_000, 100_000):
        if top <= step * 4:
            return step
    return 10 ** len(str(top // 4))


def _label(at: datetime, unit: str) -> str:
    return at.strftime("%H:%M") if unit == "hour" else at.strftime("%b %-d")


def line_chart(
    series: Sequence[tuple[str, Sequence[int]]], *, buckets: Sequence[datetime], unit: str, title: str
) -> SafeString:
    """Lines (one per named series) over time buckets, with a y axis, gridlines and a few time labels."""
    width, height, left, bottom, top_pad = 640, 220, 44, 26, 10
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max([max(values, default=0) for _, values in series] + [1])
    step = _nice(top)
    ymax = step * -(-top // step)
    n = max(len(buckets), 1)
    dx = plot_w / max(n - 1, 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'preserveAspectRatio="none">'
    ]
    for tick in range(0, ymax + 1, step):
        y = top_pad + plot_h - tick / ymax * plot_h
        parts.append(f'<line class="grid" x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="ylab" x="{left - 6}" y="{y + 4:.1f}">{tick:,}</text>')
    every = max(1, n // 6)
    for i in range(0, n, every):
        x = left + i * dx
        parts.append(f'<text class="xlab" x="{x:.1f}" y="{height - 6}">{escape(_label(buckets[i], unit))}</text>')
    for index, (name, values) in enumerate(series):
        color = COLORS[index % len(COLORS)]
        pts = " ".join(f"{left + i * dx:.1f},{top_pad + plot_h - v / ymax * plot_h:.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline class="line" stroke="{color}" points="{pts}">'
            f"<title>{escape(name)}: {sum(values):,}</title></polyline>"
        )
        if n <= 48:
            for i, v in enumerate(values):
                if v:
                    cy = top_pad + plot_h - v / ymax * plot_h
                    parts.append(
                        f'<circle cx="{left + i * dx:.1f}" cy="{cy:.1f}" r="2.5" fill="{color}">'
                        f"<title>{escape(name)} {escape(_label(buckets[i], unit))}: {v:,}</title></circle>"
                    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers, colors and escaped names only


def legend(names: Sequence[str]) -> list[tuple[str, str]]:
    """(name, color) pairs matching line_chart's colors."""
    return [(name, COLORS[i % len(COLORS)]) for i, name in enumerate(names)]
