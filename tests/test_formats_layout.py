"""The documents' tables as a reader sees them, in the PDF and the Word document: each column wide
enough for what it holds, with three partners and with seven (read back with pypdf, python-docx
and markdown-it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from format_readers import docx_document, pdf_pages
from report_helpers import all_text, parse, rich_session, section_tokens, tables

from facilitator.domain import history
from facilitator.domain.demo import SCORES
from facilitator.domain.model import Decision
from facilitator.domain.session_factory import create_session, follow_up_session
from facilitator.reports.document_meta import document_meta
from facilitator.reports.figures import document_figures
from facilitator.reports.formats import convert
from facilitator.reports.render import render

pytest.importorskip("typst")

SEVEN = [
    "Northwind Logistics",
    "Harbourline Freight",
    "Meridian Data Systems",
    "Baltic Rail Cargo Cooperative",
    "Sunrise Port Authority of Valencia",
    "Atlas Customs Brokers",
    "Greenway Last-Mile Deliveries",
]
LABELS = ["NL", "HF", "MDS", "BRCC", "SPAO", "ACB", "GLD"]


def _scored(session, shift: int):
    keys = [p.key for p in session.partners]
    for n, point in enumerate(SCORES):
        record = session.point(point)
        record.scores = {key: (n + i + shift) % 5 for i, key in enumerate(keys)}
        record.revealed = True
    return session


@pytest.fixture(scope="module")
def seven():
    """A review of a seven-partner alliance, with the kick-off before it: the scorecard has a trend."""
    kickoff = _scored(create_session("Corridor Alliance", SEVEN, date="2025-10-01", kind="kickoff"), 0)
    kickoff.id = "corridor-2025-10-01"
    review = _scored(follow_up_session(kickoff, date="2026-04-01"), 2)
    review.id = "corridor-2026-04-01"
    timeline = history.build_timeline([kickoff, review], review.id)
    markdown = render(review, "scorecard", history=timeline)
    figures = document_figures(review, "scorecard", timeline)
    meta = document_meta(review, "scorecard")
    return {"md": markdown} | {fmt: convert(markdown, fmt, meta, figures) for fmt in ("pdf", "docx")}


def _grid(table) -> list[float]:
    """A Word table's column widths as shares of its width (pandoc writes them from the dashes)."""
    widths = [int(col.get(next(k for k in col.keys() if k.endswith("}w")))) for col in table._tbl.tblGrid]
    return [w / sum(widths) for w in widths]


def _word_table(word, *head: str):
    found = [t for t in word.tables if [c.text for c in t.rows[0].cells[: len(head)]] == list(head)]
    assert len(found) == 1, head
    return found[0]


def test_the_trend_table_names_seven_partners_by_their_labels(seven):
    """Full names in seven columns were hyphenated a syllable a line ("Au-thor-ity of Va-lencia")."""
    trend = section_tokens(parse(seven["md"]), "Trend since 2025-10-01")
    by_point = [t for t in tables(trend) if t[0][:2] == ["#", "Point"]]
    assert len(by_point) == 1 and by_point[0][0] == ["#", "Point", *LABELS, "Joint", "Trend"]
    columns = "Columns: " + "; ".join(f"{label} = {name}" for label, name in zip(LABELS, SEVEN)) + "."
    assert all_text(parse(seven["md"])).count(columns) == 2  # above the scores table and above this one
    word = _word_table(docx_document(seven["docx"]), "#", "Point", *LABELS, "Joint", "Trend")
    assert [c.text for c in word.columns[0].cells].count("10") == 1
    shares = _grid(word)
    assert shares[0] >= 0.025 and shares[-1] >= 0.2  # room for "10", and for the trend's words
    pdf = re.sub(r"\s+", " ", " ".join(pdf_pages(seven["pdf"])))
    assert pdf.count("# Point NL HF MDS BRCC SPAO ACB GLD Joint Trend") >= 1  # its head, on each of its pages


def test_the_scores_table_gives_three_full_names_room_in_word():
    """Word breaks a word its column cannot hold: "Northwi nd Logistic s" in the demo's scores table."""
    session = rich_session(partner_names=["Northwind Logistics", "Harbourline Freight", "Meridian Data Systems"])
    markdown = render(session, "scorecard")
    word = docx_document(convert(markdown, "docx", document_meta(session, "scorecard")))
    table = _word_table(word, "#", "Point", "Northwind Logistics")
    assert all(share >= 0.14 for share in _grid(table)[2:5])


EIGHT = [
    "Northwind Logistics",
    "Harbourline Freight",
    "Meridian Data Systems",
    "Umbrella Health",
    "Hooli Cloud Services",
    "Stark Industries",
    "Wayne Enterprises",
    "Tyrell Corporation",
]
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")  # LibreOffice's Calibri here


@pytest.mark.skipif(not DEJAVU_BOLD.exists(), reason="measures the headings with DejaVu Sans Bold")
def test_the_scores_table_keeps_eight_partners_headings_whole_in_word():
    """With eight partners Word's columns broke "MDS", "HCS", "Joint" and "Flag" in two ("Join t",
    "Fla g"): each heading, bold in the table's type size, must fit its column less the cell margins."""
    from PIL import ImageFont

    session = rich_session(partner_names=EIGHT)
    word = docx_document(convert(render(session, "scorecard"), "docx", document_meta(session, "scorecard")))
    headings = ["#", "Point", "NL", "HF", "MDS", "UH", "HCS", "SI", "WE", "TC", "Joint", "Flag"]
    table = _word_table(word, *headings)
    style = word.styles["Table"].element
    sizes = style.xpath("./w:rPr/w:sz/@w:val") or word.styles.element.xpath("./w:docDefaults//w:sz/@w:val")
    size = int(sizes[0]) / 2  # half-points: the table's own size, or the document's
    margins = style.xpath("./w:tblPr/w:tblCellMar/w:left/@w:w")[0]  # twentieths of a point
    section = word.sections[0]
    text_width = (section.page_width - section.left_margin - section.right_margin) / 12700  # EMU a point
    font = ImageFont.truetype(str(DEJAVU_BOLD), 100)
    for heading, share in zip(headings[2:], _grid(table)[2:]):
        needed = font.getlength(heading) / 100 * size + 2 * int(margins) / 20
        assert share * text_width >= needed, (heading, share * text_width, needed)


@pytest.fixture(scope="module")
def agreement():
    session = rich_session(partner_names=["Northwind Logistics", "Harbourline Freight", "Meridian Data Systems"])
    for partner in session.partners:
        partner.signatory, partner.signatory_title = f"Signatory of {partner.name}", "Director"
    session.decisions.append(Decision("A second decision, long enough to need the room of its column.", "2026-03-12"))
    markdown = render(session, "agreement")
    meta = document_meta(session, "agreement")
    return {"md": markdown} | {fmt: convert(markdown, fmt, meta) for fmt in ("pdf", "docx")}


def test_the_health_check_appendix_gives_the_point_title_room(agreement):
    """With three partners all nine columns were equal: "Joint / strategic / framework", a word a line."""
    lines = [line for page in pdf_pages(agreement["pdf"]) for line in page.splitlines()]
    for title in (
        "Joint strategic framework",
        "Relational expectations written",
        "Agreement beyond the contract",
        "Sponsors meet face to face",
        "Trust as a formal indicator",
    ):
        assert any(title in line for line in lines), title
    table = _word_table(docx_document(agreement["docx"]), "#", "Point")
    assert _grid(table)[1] >= 0.2


def test_the_signature_lines_fit_their_columns_and_the_decision_gets_the_room(agreement):
    """Equal columns ran the signature's line of underscores on into the date's column."""
    word = docx_document(agreement["docx"])
    signatures = _word_table(word, "Name", "Title", "Organisation", "Signature", "Date")
    name, title, organisation, signature, date = _grid(signatures)
    assert signature >= 0.27 and date >= 0.15
    decisions = _word_table(word, "Date", "Decision")
    assert _grid(decisions)[0] <= 0.25
