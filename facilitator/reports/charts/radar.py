"""A radar of the checklist's points: one line per partner, and the room's agreed scores."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from facilitator.reports.charts import svg

WIDTH = 720
CHART_HEIGHT = 540  # above the legend
RADIUS = 175
MARKER_GAP = 11  # pixels between markers of the same score on a spoke


# A read-only record: a NamedTuple, which Python builds about eight times faster than a frozen
# dataclass (short commands import this module; docs/benchmarks.md).


class Line(NamedTuple):
    name: str
    values: tuple[float | None, ...]  # one per axis, 0..top; None where not scored (or not a number)
    style: svg.LineStyle


def radar_svg(title: str, axes: Sequence[str], lines: Sequence[Line], top: int = 4) -> str:
    """`axes`: each point's label ("3. Mutual-benefit measurement"), clockwise from the top."""
    cx, cy = WIDTH / 2, CHART_HEIGHT / 2 + 10
    count = max(len(axes), 3)

    def at(axis: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + axis * 2 * math.pi / count
        r = RADIUS * value / top
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    body: list[str] = [svg.text(WIDTH / 2, 26, title, size=16, anchor="middle", weight="bold")]
    # Rings for each score, the spokes, and the scores written up the first spoke.
    for level in range(1, top + 1):
        ring = [at(i, level) for i in range(count)]
        body.append(
            f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in ring)}" fill="none" '
            f'stroke="{svg.GRID}" stroke-width="{1.5 if level == top else 0.8}"/>'
        )
    for i in range(count):
        x, y = at(i, top)
        body.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{svg.GRID}" stroke-width="0.8"/>'
        )
    # The scale between the first two spokes, where no marker sits.
    for level in range(1, top + 1):
        angle = -math.pi / 2 + math.pi / count
        r = RADIUS * level / top
        body.append(
            svg.text(
                cx + r * math.cos(angle),
                cy + r * math.sin(angle) + 4,
                str(level),
                size=11,
                anchor="middle",
                fill="#666666",
            )
        )
    for i, label in enumerate(axes):
        angle = -math.pi / 2 + i * 2 * math.pi / count
        x, y = at(i, top + 0.35)
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.25 else ("start" if cos > 0 else "end")
        parts = svg.wrap(label, 20, lines=3)
        top_line = y - (len(parts) - 1) * 7 + (4 if math.sin(angle) > 0.5 else 0)
        for n, part in enumerate(parts):
            body.append(svg.text(x, top_line + n * 15 + 4, part, size=12.5, anchor=anchor))
    # Lines first, then the markers on top; partners giving a point the same score have their
    # markers set side by side across the spoke, so that none hides another.
    sharing: dict[tuple[int, float], list[int]] = {}
    for n, line in enumerate(lines):
        for i, v in enumerate(line.values):
            if v is not None:
                sharing.setdefault((i, v), []).append(n)
    markers: list[str] = []
    for n, line in enumerate(lines):
        points = [None if v is None else at(i, v) for i, v in enumerate(line.values)]
        body.extend(svg.polyline(points, line.style, closed=True))
        for i, (v, p) in enumerate(zip(line.values, points)):
            if v is None or p is None:
                continue
            together = sharing[(i, v)]
            shift = (together.index(n) - (len(together) - 1) / 2) * MARKER_GAP
            angle = -math.pi / 2 + i * 2 * math.pi / count
            x, y = p[0] - shift * math.sin(angle), p[1] + shift * math.cos(angle)
            markers.append(svg.marker(line.style.marker, x, y, line.style))
    body.extend(markers)
    legend, height = svg.legend(40, CHART_HEIGHT + 10, [(line.name, line.style) for line in lines], WIDTH - 60)
    body.extend(legend)
    description = "Radar chart: " + "; ".join(line.name for line in lines) + f". Scores 0 (centre) to {top} (edge)."
    return svg.document(WIDTH, int(CHART_HEIGHT + 20 + height), title, description, body)
