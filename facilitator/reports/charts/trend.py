"""The joint health index over the alliance's sessions, one labelled point per session."""

from __future__ import annotations

from collections.abc import Sequence

from facilitator.reports.charts import svg

WIDTH = 680
HEIGHT = 340
LEFT, RIGHT, TOP, BOTTOM = 60, 30, 50, 60


def trend_svg(title: str, dates: Sequence[str], values: Sequence[float | None], labels: Sequence[str]) -> str:
    """`values` 0-100 per session (None: no index then), `labels` the index as shown ("56")."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(dates)

    def at(i: int, value: float) -> tuple[float, float]:
        x = LEFT + (plot_w * (i + 0.5) / count)
        return x, TOP + plot_h * (1 - value / 100)

    body = [svg.text(20, 26, title, size=16, weight="bold")]
    for level in (0, 25, 50, 75, 100):
        _, y = at(0, level)
        body.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{svg.GRID}" '
            f'stroke-width="{1.2 if level in (0, 100) else 0.6}"/>'
        )
        body.append(svg.text(LEFT - 8, y + 4, str(level), size=11, anchor="end", fill="#555555"))
    body.append(
        svg.text(16, TOP + plot_h / 2, "Joint index", size=11, anchor="middle", fill="#555555").replace(
            "<text ", f'<text transform="rotate(-90 16 {TOP + plot_h / 2:.1f})" ', 1
        )
    )
    style = svg.LineStyle("#000000", "", "circle", width=2.5)
    points = [None if v is None else at(i, v) for i, v in enumerate(values)]
    body.extend(svg.polyline(points, style))
    for i, (date, point, label) in enumerate(zip(dates, points, labels)):
        x = LEFT + plot_w * (i + 0.5) / count
        body.append(svg.text(x, HEIGHT - BOTTOM + 22, date, size=11.5, anchor="middle"))
        if point is None:
            body.append(svg.text(x, HEIGHT - BOTTOM - 8, "no score", size=11, anchor="middle", fill="#555555"))
            continue
        body.append(svg.marker("circle", point[0], point[1], style, size=6))
        body.append(svg.text(point[0], point[1] - 12, label, size=13, anchor="middle", weight="bold"))
    description = "Line chart of the joint health index (0-100) by session: " + ", ".join(
        f"{d} {lab}" for d, lab in zip(dates, labels)
    )
    return svg.document(WIDTH, HEIGHT, title, description, body)
