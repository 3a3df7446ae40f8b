"""A heatmap of the checklist's points by partner: each cell shaded by its score and printing it,
the rows with a perception gap framed and flagged."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from facilitator.reports.charts import svg

# Light to dark with the score, one hue: the order reads in grey too, and the number is in the cell.
SHADES = ("#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b")
LABEL_WIDTH = 275
CELL_WIDTH = 96  # the widest a column gets
MIN_CELL_WIDTH = 58
CELL_HEIGHT = 30
FLAG_WIDTH = 100
TOP = 40
# A page fits the chart to its text width (about 800 of these units at the sizes below): more
# partners get narrower columns rather than a wider chart, whose every label a page would shrink.
FIT_WIDTH = 800


# A read-only record: a NamedTuple, which Python builds about eight times faster than a frozen
# dataclass (short commands import this module; docs/benchmarks.md).


class Row(NamedTuple):
    label: str  # "3. Mutual-benefit measurement"
    cells: tuple[tuple[float | None, str], ...]  # per column: (0-4 or None, as shown: "3", "2.5", "?", "n/a", "–")
    flags: tuple[str, ...]  # "gap", "weak"


def heatmap_svg(title: str, columns: Sequence[str], rows: Sequence[Row], top: int = 4) -> str:
    room = (FIT_WIDTH - LABEL_WIDTH - FLAG_WIDTH - 20) // max(1, len(columns))
    cell_width = max(MIN_CELL_WIDTH, min(CELL_WIDTH, room))
    # Up to three lines a column head: on two, "Joint (agreed or mean)" lost its end to an ellipsis.
    headers = [svg.wrap(name, max(6, int(cell_width / 7.6)), lines=3) for name in columns]
    header_height = 28 + 15 * max([1] + [len(parts) for parts in headers])
    width = LABEL_WIDTH + cell_width * len(columns) + FLAG_WIDTH + 20
    width = max(width, 520)
    body: list[str] = [svg.text(20, 26, title, size=16, weight="bold")]
    # "Don't know" and "not applicable" are hatched: on record, but not a score to shade.
    defs = (
        '<pattern id="unknown" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#bbbbbb" stroke-width="2"/>'
        "</pattern>"
    )
    for c, parts in enumerate(headers):
        x = LABEL_WIDTH + c * cell_width + cell_width / 2
        for n, part in enumerate(parts):
            body.append(
                svg.text(
                    x,
                    TOP + header_height - 10 - (len(parts) - 1 - n) * 15,
                    part,
                    size=12,
                    anchor="middle",
                    weight="bold",
                )
            )
    body.append(
        svg.text(LABEL_WIDTH + cell_width * len(columns) + 12, TOP + header_height - 10, "Flag", size=12, weight="bold")
    )
    for r, row in enumerate(rows):
        y = TOP + header_height + r * CELL_HEIGHT
        body.append(svg.text(10, y + CELL_HEIGHT / 2 + 4, svg.shorten(row.label, 40), size=12.5))
        for c, (value, shown) in enumerate(row.cells):
            x = LABEL_WIDTH + c * cell_width
            if value is None:
                fill = "url(#unknown)" if shown.strip() not in ("", "–", "-") else "#ffffff"
                ink = svg.INK
            else:
                level = min(max(int(value + 0.5), 0), top)
                fill = SHADES[min(level, len(SHADES) - 1)]
                ink = "#ffffff" if level >= 3 else svg.INK
            body.append(_box(x + 1, y + 1, cell_width - 2, CELL_HEIGHT - 2, fill))
            body.append(
                svg.text(
                    x + cell_width / 2,
                    y + CELL_HEIGHT / 2 + 5,
                    shown or "–",
                    size=14,
                    anchor="middle",
                    weight="bold",
                    fill=ink,
                )
            )
        flag_x = LABEL_WIDTH + cell_width * len(columns)
        if "gap" in row.flags:
            # A heavy dashed frame round the whole row, and the word: a gap reads without colour.
            body.append(_gap_frame(5, y + 3, flag_x + FLAG_WIDTH - 5, CELL_HEIGHT - 6))
        if row.flags:
            body.append(
                svg.text(flag_x + 12, y + CELL_HEIGHT / 2 + 5, ", ".join(row.flags).upper(), size=12.5, weight="bold")
            )
    key_y = TOP + header_height + len(rows) * CELL_HEIGHT + 24
    x = 10.0
    for level, shade in enumerate(SHADES[: top + 1]):
        body.append(_box(x, key_y - 12, 22, 18, shade))
        body.append(
            svg.text(x + 11, key_y + 2, str(level), size=11, anchor="middle", fill="#ffffff" if level >= 3 else svg.INK)
        )
        x += 24
    body.append(_box(x + 8, key_y - 12, 22, 18, "url(#unknown)"))
    body.append(svg.text(x + 36, key_y + 2, "don't know / n.a.", size=11))
    body.append(_gap_frame(x + 160, key_y - 12, 30, 18))
    body.append(svg.text(x + 198, key_y + 2, "perception gap (spread of 2 or more)", size=11))
    height = key_y + 20
    description = (
        f"Heatmap of {len(rows)} points by {len(columns)} columns; cells print the score; gap rows are framed."
    )
    return svg.document(int(width), int(height), title, description, body, defs)


def _box(x: float, y: float, width: float, height: float, fill: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{fill}" '
        'stroke="#888888" stroke-width="0.5"/>'
    )


def _gap_frame(x: float, y: float, width: float, height: float) -> str:
    """A heavy dashed frame: a perception gap reads without colour."""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="none" '
        'stroke="#000000" stroke-width="2.5" stroke-dasharray="7 3"/>'
    )
