"""Bar charts drawn on the server as SVG: the geometry here, the drawing in the template
(``templates/admin/reports.html``), no script and no charting library."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
_TOP, _BOTTOM, _LEFT = 20, 30, 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    shown: str


@dataclass(frozen=True)
class BarChart:
    """A chart's bars in a ``WIDTH`` × ``HEIGHT`` box, and the line they stand on."""

    title: str
    bars: list[Bar]
    baseline: float
    width: int = WIDTH
    height: int = HEIGHT


def bar_chart(
    title: str, points: Sequence[tuple[str, int | None]], shown: Callable[[int], str]
) -> BarChart:
    """One bar per point (a missing value is drawn as no bar), scaled to the largest."""
    baseline = HEIGHT - _BOTTOM
    slot = (WIDTH - 2 * _LEFT) / max(len(points), 1)
    top = max((value or 0 for _, value in points), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(points):
        height = (baseline - _TOP) * (value or 0) / top
        bars.append(
            Bar(
                round(_LEFT + i * slot + slot * 0.15, 1),
                round(baseline - height, 1),
                round(slot * 0.7, 1),
                round(height, 1),
                label,
                shown(value) if value is not None else "–",
            )
        )
    return BarChart(title, bars, baseline)
