"""Charts as inline SVG, drawn on the server: no JavaScript, no internet, vector in the PDF reports.

Every function returns markup that is safe to insert in a template: labels are escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
FONT = 'font-family="sans-serif" font-size="11"'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per x label; None leaves a gap


def _number(value: float) -> str:
    return f"{value:.1f}"


def _points(values: Sequence[float | None], x_of: list[float], y_of: object) -> list[list[str]]:
    """Runs of consecutive known points, as 'x,y' strings (a None breaks the line)."""
    runs: list[list[str]] = [[]]
    for x, value in zip(x_of, values, strict=True):
        if value is None:
            runs.append([])
            continue
        runs[-1].append(f"{_number(x)},{_number(y_of(value))}")  # type: ignore[operator]
    return [run for run in runs if run]


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    y_range: tuple[float, float] = (0.0, 100.0),
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """A line per series over the x labels (e.g. the health index over runs), with a legend."""
    left, right, top, bottom = 40, 120, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high = y_range
    span = (high - low) or 1.0
    steps = max(len(labels) - 1, 1)
    x_of = [left + plot_w * i / steps for i in range(len(labels))]

    def y_of(value: float) -> float:
        clamped = min(max(value, low), high)
        return top + plot_h * (1 - (clamped - low) / span)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="16" {FONT} font-weight="bold">{escape(title)}</text>',
    ]
    for tick in range(5):
        value = low + span * tick / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_number(y)}" y2="{_number(y)}" '
            'stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{_number(y + 4)}" {FONT} text-anchor="end">'
            f"{value:g}</text>"
        )
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                f'<text x="{_number(x_of[i])}" y="{height - bottom + 16}" {FONT} '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for index, line in enumerate(series):
        color = PALETTE[index % len(PALETTE)]
        for run in _points(line.values, x_of, y_of):
            points = " ".join(run)
            parts.append(
                f'<polyline class="series" fill="none" stroke="{color}" stroke-width="2" '
                f'points="{points}"/>'
            )
            for point in run:
                cx, cy = point.split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{color}"/>')
        legend_y = top + 14 * index + 8
        last = next((v for v in reversed(line.values) if v is not None), None)
        shown = "" if last is None else f" {last:.0f}"
        parts.append(
            f'<rect x="{width - right + 10}" y="{legend_y - 8}" width="10" height="10" '
            f'fill="{color}"/><text x="{width - right + 24}" y="{legend_y + 1}" {FONT}>'
            f"{escape(line.name)}{shown}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # every label above is escaped


def bar_chart(
    bars: Sequence[tuple[str, float]], *, title: str, width: int = 640, bar_height: int = 18
) -> SafeString:
    """Horizontal bars with their values (e.g. findings by pattern)."""
    label_w, top = 170, 28
    height = top + bar_height * max(len(bars), 1) + 8
    longest = max((value for _, value in bars), default=0.0) or 1.0
    plot_w = width - label_w - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" {FONT} font-weight="bold">{escape(title)}</text>',
    ]
    if not bars:
        parts.append(f'<text x="0" y="{top + 12}" {FONT}>nothing to show</text>')
    for i, (label, value) in enumerate(bars):
        y = top + i * bar_height
        length = max(plot_w * value / longest, 0.0)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_height - 5}" {FONT} text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{_number(length)}" '
            f'height="{bar_height - 4}" fill="{PALETTE[0]}"/>'
            f'<text x="{_number(label_w + length + 4)}" y="{y + bar_height - 5}" {FONT}>'
            f"{value:g}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # every label above is escaped


def sparkline(values: Sequence[float | None], *, width: int = 80, height: int = 18) -> SafeString:
    """A tiny trend line, scaled to its own range; gaps where a value is None (withheld)."""
    known = [value for value in values if value is not None]
    if not known:
        return mark_safe("")
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    steps = max(len(values) - 1, 1)
    x_of = [1 + (width - 2) * i / steps for i in range(len(values))]

    def y_of(value: float) -> float:
        return height - 2 - (height - 4) * (value - low) / span

    lines = "".join(
        f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="1.5" points="{" ".join(run)}"/>'
        for run in _points(values, x_of, y_of)
    )
    return mark_safe(  # noqa: S308  # numbers only
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}">{lines}</svg>'
    )
