"""The scorecard's charts: self-contained SVG that parses as XML, hostile names kept as text, lines
told apart without colour, every heatmap cell printing its score, gaps from `domain.scoring`, the
joint index over the alliance's sessions, text equivalents that parse as Markdown, PNG for Word."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from history_support import ALLIANCE, build_sessions
from report_helpers import all_text, parse, rich_session, tables

from facilitator.base.errors import ReportError
from facilitator.domain import content, history, scoring
from facilitator.domain.model import Session
from facilitator.domain.roster import make_partners
from facilitator.reports.charts import svg as svg_parts
from facilitator.reports.figure import Figure
from facilitator.reports.figures import HEATMAP, RADAR, TREND, document_figures

SVG = "{http://www.w3.org/2000/svg}"
CHECKLIST = content.load_checklist(1)
HOSTILE_NAMES = ["<script>alert(1)</script>", "Smith & Jones", "Quote \" and ' apostrophe", "Bell\x07 line\nbreak"]


def by_name(figures: tuple[Figure, ...]) -> dict[str, Figure]:
    return {f.name: f for f in figures}


def texts(svg: str) -> list[str]:
    return ["".join(element.itertext()) for element in ET.fromstring(svg.encode()).iter(f"{SVG}text")]


@pytest.fixture(scope="module")
def hostile_figures() -> tuple[Figure, ...]:
    return document_figures(rich_session(partner_names=HOSTILE_NAMES[:3]), "scorecard")


@pytest.fixture(scope="module")
def review_figures() -> dict[str, Figure]:
    sessions = build_sessions()
    return by_name(document_figures(sessions[3], "scorecard", history.build_timeline(sessions, ALLIANCE)))


def test_the_scorecard_shows_a_radar_and_a_heatmap_and_the_agreement_none():
    session = rich_session()
    figures = document_figures(session, "scorecard")
    assert [f.name for f in figures] == [RADAR, HEATMAP]  # one session: no trend to draw
    assert all(f.link == f"figures/{f.name}.svg" for f in figures)
    assert document_figures(session, "agreement") == ()


def test_a_session_with_no_score_has_no_chart():
    bare = Session(id="bare", alliance="Bare", partners=make_partners(["A", "B"]), date="2026-01-01", created_at="x")
    assert document_figures(bare, "scorecard") == ()


def test_every_svg_is_self_contained_xml_without_script(hostile_figures, review_figures):
    for figure in (*hostile_figures, *review_figures.values()):
        root = ET.fromstring(figure.svg.encode())  # well-formed, whatever the names held
        assert root.tag == f"{SVG}svg" and root.get("viewBox")
        assert "<script" not in figure.svg.lower() and "javascript" not in figure.svg.lower()
        tags = {element.tag.removeprefix(SVG) for element in root.iter()}
        assert not tags & {"script", "image", "foreignObject", "a", "style", "use"}, tags
        for element in root.iter():
            for name, value in element.attrib.items():
                assert "href" not in name, (element.tag, name)
                assert not value.strip().lower().startswith(("http", "//", "data:")), (name, value)
                for reference in re.findall(r"url\(([^)]*)\)", value):
                    assert reference.startswith("#"), value  # only to a pattern inside the file
        # The one http in the file is the SVG namespace itself.
        assert re.findall(r"https?://[^\s\"']+", figure.svg) == ["http://www.w3.org/2000/svg"]


def test_hostile_partner_names_stay_text(hostile_figures):
    radar, heatmap = hostile_figures
    legend = texts(radar.svg)
    assert "<script>alert(1)</script>" in legend and "Smith & Jones" in legend
    assert any(t.startswith("Quote \" and ' apostr") for t in legend)
    headers = " ".join(texts(heatmap.svg))
    assert "<script>alert(1)</script>"[:13] in headers and "Smith & Jones" in headers
    # A control character XML forbids, and a line break, in a name: the file still parses (above)
    # and the name reads on one line.
    # (The roster refuses such a name; the chart does not rely on that.)
    session = rich_session(partner_names=["Acme", "Globex"])
    session.partners[1].name = HOSTILE_NAMES[3]
    odd = document_figures(session, "scorecard")
    assert "Bell\ufffd line break" in texts(odd[0].svg)


def test_lines_read_apart_in_black_and_white():
    styles = [svg_parts.series_style(i) for i in range(36)]
    assert len({(s.dash, s.marker) for s in styles}) == 36  # a dash and a marker of its own each
    # Every partner an alliance can have (12) has a colour and marker of its own, not only a dash.
    assert len({(s.colour, s.marker, s.hollow) for s in styles[:12]}) == 12
    assert all(s.marker in svg_parts.MARKERS for s in styles)
    radar = document_figures(rich_session(), "scorecard")[0]
    root = ET.fromstring(radar.svg.encode())
    dashes = {p.get("stroke-dasharray", "") for p in root.iter(f"{SVG}polyline")}
    assert len(dashes) >= 3  # three partners (the agreed line is solid, like the first)
    shapes = {element.tag.removeprefix(SVG) for element in root.iter()} & {"circle", "rect", "polygon"}
    assert shapes == {"circle", "rect", "polygon"}  # round, square, triangle/star markers


def test_the_radar_draws_a_line_per_partner_and_the_agreed_scores():
    session = rich_session()
    radar = document_figures(session, "scorecard")[0]
    legend = texts(radar.svg)
    for partner in session.partners:
        assert partner.name in legend
    assert "Agreed by the room" in legend  # one point has an agreed score
    for point in CHECKLIST.points:
        assert any(point.title.startswith(t.split(". ", 1)[-1]) or t in point.title for t in legend)


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.skipif(not DEJAVU.exists(), reason="DejaVu Sans, the charts' font, to measure the names with")
def test_a_long_partner_name_in_the_radar_legend_ends_before_the_next_column():
    """ "Sunrise Port Authority of Valencia" ran on over the next column's line sample."""
    from PIL import ImageFont

    names = ["Sunrise Port Authority of Valencia", "Northwind Logistics", "Atlas Customs Brokers", "Greenway"]
    session = rich_session(partner_names=names)
    root = ET.fromstring(document_figures(session, "scorecard")[0].svg.encode())
    samples = [line for line in root.iter(f"{SVG}line") if float(line.get("x2")) - float(line.get("x1")) == 40]
    font = ImageFont.truetype(str(DEJAVU), 13)
    legend = {"".join(t.itertext()): t for t in root.iter(f"{SVG}text")}
    assert names[0] in legend  # whole, not shortened
    for name in [*names, "Agreed by the room"]:
        text = legend[name]
        x, y = float(text.get("x")), float(text.get("y"))
        end = x + font.getlength(name)
        after = [float(line.get("x1")) for line in samples if float(line.get("y1")) == y and float(line.get("x1")) > x]
        assert all(end < start - 4 for start in after), (name, end, after)
        assert end < float(root.get("width"))


def test_the_heatmaps_column_heads_are_whole_with_three_partners():
    """The joint column's head was cut to "Joint (agreed or…"."""
    session = rich_session(partner_names=["Northwind Logistics", "Harbourline Freight", "Meridian Data Systems"])
    heads = texts(by_name(document_figures(session, "scorecard"))[HEATMAP].svg)
    assert not [t for t in heads if t.endswith("…")]
    assert " ".join(heads).count("Joint (agreed or mean)") == 1


def test_the_heatmap_prints_every_score_and_frames_the_gaps_scoring_finds():
    session = rich_session()
    heatmap = document_figures(session, "scorecard")[1]
    shown = texts(heatmap.svg)
    stats = scoring.all_point_stats(session, CHECKLIST)
    flagged = [s for s in stats if scoring.point_flags(s)]
    assert shown.count("GAP") == sum(1 for s in stats if s.discuss and not s.weak)
    assert len([t for t in shown if t in ("GAP", "WEAK", "GAP, WEAK")]) == len(flagged)
    root = ET.fromstring(heatmap.svg.encode())
    frames = [r for r in root.iter(f"{SVG}rect") if r.get("stroke-dasharray") and r.get("fill") == "none"]
    assert len(frames) == sum(1 for s in stats if s.discuss) + 1  # one per gap row, one in the key
    cells = shown[shown.index("Flag") + 1 :]
    for point, stat in zip(CHECKLIST.points, stats):
        row = cells[cells.index(f"{point.number}. {point.title}"[:39]) :]
        for value, partner in zip(row[1:], session.partners):
            score = stat.scores.get(partner.key)
            assert value == ("–" if score is None else str(score)), (point.key, partner.key)


def test_the_text_beneath_each_chart_is_markdown_that_keeps_names_as_text(hostile_figures):
    radar, heatmap = hostile_figures
    tokens = parse(radar.text)
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    assert not [c for t in tokens if t.children for c in t.children if c.type in ("html_inline", "link_open")]
    items = all_text(tokens)
    assert any(item.startswith("<script>alert(1)</script> (index ") for item in items)
    assert any(item.startswith("Smith & Jones (index ") for item in items)
    gaps = all_text(parse(heatmap.text))[0]
    assert "3. Mutual-benefit measurement (spread 4)" in gaps


def test_a_review_shows_the_joint_index_over_the_alliances_sessions(review_figures):
    trend = review_figures[TREND]
    sessions = build_sessions()
    expected = [[s.date, f"{scoring.joint_index(s, CHECKLIST):.0f}"] for s in sessions]
    (table,) = tables(parse(trend.text))
    assert table[0] == ["Session", "Joint index (0-100)"] and table[1:] == expected
    labels = texts(trend.svg)
    for date, index in expected:
        assert date in labels and index in labels
    # Seen from the second session, the chart stops there.
    earlier = by_name(document_figures(sessions[1], "scorecard", history.build_timeline(sessions, ALLIANCE)))
    assert tables(parse(earlier[TREND].text))[0][1:] == expected[:2]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png_for_word_is_the_same_picture_at_twice_the_pixels(hostile_figures):
    pytest.importorskip("typst")
    for figure in hostile_figures:
        width, height = png_size(figure.png())
        root = ET.fromstring(figure.svg.encode())
        assert (width, height) == (2 * int(root.get("width")), 2 * int(root.get("height")))


def test_png_without_the_documents_extra_says_which_to_install(hostile_figures, monkeypatch):
    monkeypatch.setitem(sys.modules, "typst", None)  # as if not installed: import raises ImportError
    with pytest.raises(ReportError, match=r"facilitator\[documents\]"):
        hostile_figures[0].png()


def test_drawing_the_charts_imports_no_converter():
    probe = (
        "import sys; sys.path.insert(0, 'tests'); from report_helpers import rich_session; "
        "from facilitator.reports.figures import document_figures; "
        "figures = document_figures(rich_session(), 'scorecard'); "
        "print(len(figures), sorted(m for m in ('typst', 'pypandoc', 'resvg_py', 'pygal') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["2", "[]"]
