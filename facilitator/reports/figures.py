"""The charts each document shows, as `Figure`s, made from the data its template sees.

`document_figures(session, document, history)` gives a document's figures on their own; the
writers get them from `render.render_with_figures`, drawn from the context the template saw (the
scorecard: a radar of the points by partner, a heatmap of points by partner with the gaps
marked, and for a session with earlier ones the joint index over them; the agreement: none).
`scorecard_figures(context)` makes the same from a context already built, so the figures and
the text beside them use the very figures the tables print: the flags, means and indexes all
come from `domain.scoring` through `context.build_context`, never worked out again here.
Each figure's `text` says in Markdown what the chart shows, every name in it escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from facilitator.reports import markdown
from facilitator.reports.charts import svg as svg_parts
from facilitator.reports.figure import Figure

if TYPE_CHECKING:
    from facilitator.domain import history as history_module
    from facilitator.domain.model import Session

RADAR = "scorecard-radar"
HEATMAP = "scorecard-heatmap"
TREND = "scorecard-trend"
TOP_SCORE = 4


def document_figures(
    session: Session, document: str, history: history_module.Timeline | None = None
) -> tuple[Figure, ...]:
    """The figures `document` shows for `session`, in the order it shows them."""
    if document != "scorecard":
        return ()
    from facilitator.domain import content
    from facilitator.reports.context import build_context

    checklist = content.load_checklist(session.checklist_version)
    return scorecard_figures(build_context(session, checklist, history))


def figure_entries(figures: Sequence[Figure]) -> list[dict[str, Any]]:
    """The figures as a template sees them: name, title, link and the text equivalent (Markdown,
    escaped already: printed as it is)."""
    return [
        {"name": f.name, "title": f.title, "link": markdown.MarkdownSafe(f.link), "text": markdown.MarkdownSafe(f.text)}
        for f in figures
    ]


def scorecard_figures(context: dict[str, Any]) -> tuple[Figure, ...]:
    points = context["points"]
    if not any(isinstance(_number(s["value"]), float) for p in points for s in p["scores"]):
        return ()  # nothing scored yet: a chart of nothing says nothing
    figures = [_radar(context), _heatmap(context)]
    series = (context.get("history") or {}).get("joint_series") or []
    if len(series) >= 2:
        figures.append(_trend(series))
    return tuple(figures)


def _figure(name: str, title: str, svg: str, text: str) -> Figure:
    def png() -> bytes:
        from facilitator.reports.formats.png import svg_to_png

        return svg_to_png(svg)

    return Figure(name=name, title=title, svg=svg, text=text, png=png)


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _points_named(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    joined = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return f"point{'s' if len(words) > 1 else ''} {joined}"


# --------------------------------------------------------------------------------------------
# The radar


def _radar(context: dict[str, Any]) -> Figure:
    from facilitator.reports.charts.radar import Line, radar_svg

    points = context["points"]
    partners = context["partners"]
    lines = [
        Line(p["name"], tuple(_number(pt["scores"][i]["value"]) for pt in points), svg_parts.series_style(i))
        for i, p in enumerate(partners)
    ]
    agreed = tuple(None if pt["agreed"] is None else float(pt["agreed"]) for pt in points)
    if any(v is not None for v in agreed):
        lines.append(Line("Agreed by the room", agreed, svg_parts.AGREED_STYLE))
    title = "Scores by partner, point by point"
    svg = radar_svg(title, [f"{pt['number']}. {pt['title']}" for pt in points], lines, TOP_SCORE)

    rows = [
        f"One line per partner over the {len(points)} points, 0 at the centre and {TOP_SCORE} at the edge "
        "(every score is in the Scores table):",
        "",
    ]
    for i, partner in enumerate(partners):
        scored = [(pt["number"], _number(pt["scores"][i]["value"])) for pt in points]
        known = [(n, v) for n, v in scored if v is not None]
        if not known:
            rows.append(f"- {markdown.inline(partner['name'])}: no scores yet.")
            continue
        high, low = max(v for _, v in known), min(v for _, v in known)
        highest = _points_named([n for n, v in known if v == high])
        lowest = _points_named([n for n, v in known if v == low])
        spread = f"highest {_score(high)} on {highest}" + (f"; lowest {_score(low)} on {lowest}" if low != high else "")
        rows.append(f"- {markdown.inline(partner['name'])} (index {partner['index_display']}): {spread}.")
    settled = [(pt["number"], pt["agreed"]) for pt in points if pt["agreed"] is not None]
    if settled:
        rows.append(
            f"- Agreed by the room on {len(settled)} of {len(points)} points: "
            + ", ".join(f"point {n} at {v}" for n, v in settled)
            + "."
        )
    return _figure(RADAR, title, svg, "\n".join(rows))


def _score(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


# --------------------------------------------------------------------------------------------
# The heatmap


def _heatmap(context: dict[str, Any]) -> Figure:
    from facilitator.reports.charts.heatmap import Row, heatmap_svg

    points = context["points"]
    # The columns are named as the Scores table names them: full names up to three partners, else
    # the short labels its "Columns:" line explains (full names would not fit a page's width).
    partners = context["partners"]
    short = [p["label"] for p in partners] != [p["name"] for p in partners]
    columns = [p["label"] if short else p["name"] for p in partners] + ["Joint" if short else "Joint (agreed or mean)"]
    rows = []
    for pt in points:
        cells = tuple((_number(s["value"]), s["display"] if s["value"] is not None else "–") for s in pt["scores"])
        joint = (pt["value"], pt["value_display"] if pt["value"] is not None else "–")
        rows.append(Row(f"{pt['number']}. {pt['title']}", cells + (joint,), tuple(pt["flags"])))
    title = "Scores by point and partner, gaps framed"
    svg = heatmap_svg(title, columns, rows, TOP_SCORE)

    gaps = [pt for pt in points if pt["gap"]]
    weak = [pt for pt in points if pt["weak"]]
    lines = []
    if gaps:
        lines.append(
            "Perception gaps (partners 2 or more apart): "
            + "; ".join(
                f"{pt['number']}. {markdown.inline(pt['title'])} (spread {pt['spread_display']})" for pt in gaps
            )
            + "."
        )
    else:
        lines.append("No point shows a perception gap (partners 2 or more apart).")
    if weak:
        lines.append(
            "Weak (below 2): "
            + "; ".join(f"{pt['number']}. {markdown.inline(pt['title'])} ({pt['value_display']})" for pt in weak)
            + "."
        )
    lines.append("Each cell prints its score; darker is higher.")
    return _figure(HEATMAP, title, svg, " ".join(lines))


# --------------------------------------------------------------------------------------------
# The joint index over the sessions


def _trend(series: list[dict[str, Any]]) -> Figure:
    from facilitator.reports.charts.trend import trend_svg

    title = "Joint health index by session"
    svg = trend_svg(title, [s["date"] for s in series], [s["index"] for s in series], [s["display"] for s in series])
    table = ["| Session | Joint index (0-100) |", "|---|--:|"]
    table += [f"| {markdown.cell(s['date'])} | {markdown.cell(s['display'])} |" for s in series]
    return _figure(TREND, title, svg, "\n".join(table))
