"""What the charts share: the SVG document, text escaped for XML, line styles and markers.

Every chart is one SVG document with its size in pixels and a viewBox, a <title> and <desc> for
screen readers, no script, no style sheet and no reference outside itself (fill patterns are
referred to inside the file, by `url(#id)`).
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#222222"  # text and axes: near black, prints as black
GRID = "#b0b0b0"

# Characters XML 1.0 does not allow at all (a name typed with one would break the file).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(value: str) -> str:
    """Text as XML character data or an attribute value: <, >, &, quotes escaped, the
    characters XML forbids replaced, line breaks made spaces (a label is one line)."""
    value = _NOT_XML.sub("\ufffd", str(value))
    value = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def shorten(value: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut (the full name is in the text beneath)."""
    value = " ".join(str(value).split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def wrap(value: str, width: int, lines: int = 2) -> list[str]:
    """Words in lines of about `width` characters, at most `lines` of them (the last shortened)."""
    words = " ".join(str(value).split()).split(" ")
    result: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            result.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    result.append(current)
    if len(result) > lines:
        result = result[: lines - 1] + [shorten(" ".join(result[lines - 1 :]), width)]
    return result


def text(
    x: float,
    y: float,
    value: str,
    *,
    size: float = 13,
    anchor: str = "start",
    weight: str = "normal",
    fill: str = INK,
    baseline: str = "",
) -> str:
    shift = ' dominant-baseline="central"' if baseline == "central" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}"{shift}>{escape(value)}</text>'
    )


def document(width: int, height: int, title: str, description: str, body: list[str], defs: str = "") -> str:
    """A complete SVG document: white background, one font, the title and description first."""
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{FONT}" role="img">',
            f"<title>{escape(title)}</title>",
            f"<desc>{escape(description)}</desc>",
            f"<defs>{defs}</defs>" if defs else "",
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
            *body,
            "</svg>",
            "",
        ]
    )


# A read-only record: a NamedTuple, which Python builds about eight times faster than a frozen
# dataclass (short commands import this module; docs/benchmarks.md).


class LineStyle(NamedTuple):
    """How one series is drawn: its colour, its dash pattern and its marker, so that each line
    reads apart from the others in black and white too."""

    colour: str
    dash: str  # stroke-dasharray, "" for solid
    marker: str  # one of MARKERS
    width: float = 2.0
    hollow: bool = False  # the marker outlined, not filled: past six series, told from the filled


# Okabe and Ito's palette (told apart with any colour vision), each with a dash and a marker.
SERIES_STYLES = (
    LineStyle("#0072B2", "", "circle"),
    LineStyle("#D55E00", "9 4", "square"),
    LineStyle("#009E73", "2 3", "triangle"),
    LineStyle("#CC79A7", "10 3 2 3", "diamond"),
    LineStyle("#E69F00", "5 5", "cross"),
    LineStyle("#56B4E9", "12 3 2 3 2 3", "x"),
)
AGREED_STYLE = LineStyle("#000000", "", "star", width=3.0)  # the room's agreed score


def series_style(position: int) -> LineStyle:
    """The style of the n-th series. Past six the colours come round again with another marker,
    hollow, and another dash (7th: blue like the 1st, a hollow square, dashed), so that every
    partner of an alliance (up to 12) has a colour and marker of its own, and up to 36 a dash and
    marker of their own."""
    count = len(SERIES_STYLES)
    round_, index = divmod(position, count)
    base = SERIES_STYLES[index]
    if not round_:
        return base
    # The marker one on, the dash two on per round: no two series share both (their offsets
    # differ by the round), so the lines read apart in black and white as well.
    marker = SERIES_STYLES[(index + round_) % count].marker
    dash = SERIES_STYLES[(index + 2 * round_) % count].dash or "1 2"
    return LineStyle(base.colour, dash, marker, hollow=True)


MARKERS = ("circle", "square", "triangle", "diamond", "cross", "x", "star")


def marker(kind: str, x: float, y: float, style: LineStyle, size: float = 5.0) -> str:
    """A marker centred on (x, y): filled shapes in the series colour, outlined in white so that
    markers that fall on the same spot stay apart."""
    if style.hollow:
        fill = f'fill="#ffffff" stroke="{style.colour}" stroke-width="2"'
    else:
        fill = f'fill="{style.colour}" stroke="#ffffff" stroke-width="1"'
    stroke = f'fill="none" stroke="{style.colour}" stroke-width="2.5"'
    s = size
    if kind == "square":
        return f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" {fill}/>'
    if kind == "triangle":
        return _polygon([(x, y - s * 1.2), (x + s * 1.1, y + s * 0.8), (x - s * 1.1, y + s * 0.8)], fill)
    if kind == "diamond":
        return _polygon([(x, y - s * 1.3), (x + s * 1.1, y), (x, y + s * 1.3), (x - s * 1.1, y)], fill)
    if kind == "cross":
        return f'<path d="M{x - s:.1f},{y:.1f}H{x + s:.1f}M{x:.1f},{y - s:.1f}V{y + s:.1f}" {stroke}/>'
    if kind == "x":
        return (
            f'<path d="M{x - s:.1f},{y - s:.1f}L{x + s:.1f},{y + s:.1f}'
            f'M{x - s:.1f},{y + s:.1f}L{x + s:.1f},{y - s:.1f}" {stroke}/>'
        )
    if kind == "star":
        points = []
        for i in range(10):
            radius = s * 1.6 if i % 2 == 0 else s * 0.7
            angle = -math.pi / 2 + i * math.pi / 5
            points.append((x + radius * math.cos(angle), y + radius * math.sin(angle)))
        return _polygon(points, fill)
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s:.1f}" {fill}/>'


def _polygon(points: list[tuple[float, float]], attributes: str) -> str:
    return f'<polygon points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in points)}" {attributes}/>'


def polyline(points: list[tuple[float, float] | None], style: LineStyle, *, closed: bool = False) -> list[str]:
    """The series as lines between consecutive known points; a missing value (None) breaks the
    line rather than joining its neighbours as if it were there."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    if closed and len(runs) > 1 and runs[0] and runs[-1] and points[0] is not None and points[-1] is not None:
        runs[0] = runs.pop() + runs[0]  # the line wraps around from the last axis to the first
    elif closed and len(runs) == 1 and len(runs[0]) > 2:
        runs[0].append(runs[0][0])
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    return [
        f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in run)}" fill="none" '
        f'stroke="{style.colour}" stroke-width="{style.width:g}" stroke-linejoin="round"{dash}/>'
        for run in runs
        if len(run) >= 2
    ]


LEGEND_CHAR = 7.0  # a legend's average character at 13 px in DejaVu Sans, with a margin (names measure 6.4-6.8)


def legend(
    x: float, y: float, entries: list[tuple[str, LineStyle]], width: float, limit: int = 34
) -> tuple[list[str], float]:
    """A legend of line samples with their markers, in as many columns as fit `width`; returns
    the elements and the height used.

    A column is as wide as its longest name needs (`LEGEND_CHAR` a character at 13 px): a long
    name ran on over the next column's line sample ("...of Valencia✕— Atlas Customs Brokers").
    """
    longest = max((len(" ".join(str(name).split())) for name, _ in entries), default=0)
    column = max(250.0, 48 + LEGEND_CHAR * min(longest, limit) + 16)
    columns = max(1, int(width // column))
    if columns == 1:
        column = width
    limit = min(limit, int((column - 48 - 16) / LEGEND_CHAR))
    body: list[str] = []
    for i, (name, style) in enumerate(entries):
        cx = x + (i % columns) * column
        cy = y + (i // columns) * 24
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        body.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{cx + 40:.1f}" y2="{cy:.1f}" stroke="{style.colour}" '
            f'stroke-width="{style.width:g}"{dash}/>'
        )
        body.append(marker(style.marker, cx + 20, cy, style))
        body.append(text(cx + 48, cy, shorten(name, limit), baseline="central"))
    rows = (len(entries) + columns - 1) // columns
    return body, rows * 24
