"""The reports layer: Markdown agreement and scorecard, escaping, sandbox limits, export.

Output is checked by parsing it with markdown-it (CommonMark + tables) and looking at tokens,
never by matching the Markdown source.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

from report_helpers import (  # noqa: E402
    HOSTILE,
    HOSTILE_MULTILINE,
    HOSTILE_NAME,
    all_text,
    block_types,
    headings,
    inline_text,
    parse,
    rich_session,
    section_tokens,
    table_with_header,
    tables,
)

from facilitator.base.errors import ReportError  # noqa: E402
from facilitator.domain import content, formatting, scoring
from facilitator.domain.model import Session  # noqa: E402
from facilitator.domain.roster import make_partners
from facilitator.reports import markdown
from facilitator.reports import render as reports

CHECKLIST = content.load_checklist(1)
SECTION_HEADINGS = [f"{s.number}. {s.title}" for s in CHECKLIST.sections]
POINT_HEADINGS = [f"{p.number}. {p.title}" for p in CHECKLIST.points]


@pytest.fixture(scope="module")
def session() -> Session:
    return rich_session()


@pytest.fixture(scope="module")
def agreement(session) -> list:
    return parse(reports.render(session, "agreement"))


@pytest.fixture(scope="module")
def scorecard(session) -> list:
    return parse(reports.render(session, "scorecard"))


def custom_dir(tmp_path: Path, source: str, document: str = "agreement") -> Path:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / f"{document}.md.j2").write_text(source, encoding="utf-8")
    return folder


def unescaped_pipes(line: str) -> int:
    count, backslashes = 0, 0
    for char in line:
        if char == "|" and backslashes % 2 == 0:
            count += 1
        backslashes = backslashes + 1 if char == "\\" else 0
    return count


def no_html(tokens) -> bool:
    for token in tokens:
        if token.type in ("html_block", "html_inline"):
            return False
        if token.children and not no_html(token.children):
            return False
    return True


# --------------------------------------------------------------------------------------------
# Templates and documents


def test_default_templates_are_found():
    folder = reports.default_templates_dir()
    assert folder.is_dir()
    for document in reports.DOCUMENTS:
        assert reports.template_path(document).is_file()


def test_agreement_has_title_partners_and_every_section(session, agreement):
    assert headings(agreement, 1) == ["Northern Logistics Alliance: Partnership agreement"]
    h2 = headings(agreement, 2)
    assert [h for h in h2 if h in SECTION_HEADINGS] == SECTION_HEADINGS
    assert "Signatures" in h2 and "Appendix A. Health-check snapshot" in h2 and "Appendix B. Open actions" in h2
    assert all_text(agreement)[1].startswith("DRAFT. Not every section is agreed")  # at the top
    title_block = all_text(agreement)[2]
    for expected in ("Acme, Globex and Initech", "2026-03-12", "Kick-off meeting", "Frances Allen"):
        assert expected in title_block


def test_every_table_row_has_as_many_cells_as_its_header(session):
    for document in reports.DOCUMENTS:
        text = reports.render(session, document)
        lines = text.splitlines()
        rows: list[str] = []
        for line in lines + [""]:
            if line.startswith("|"):
                rows.append(line)
            elif rows:
                assert {unescaped_pipes(row) for row in rows} == {unescaped_pipes(rows[0])}, rows
                rows = []
        for table in tables(parse(text)):
            assert {len(row) for row in table} == {len(table[0])}


def test_partner_and_sponsor_table(agreement):
    table = table_with_header(agreement, "Partner", "Legal name")
    assert table[0] == ["Partner", "Legal name", "Signatory", "Sponsors", "Team members"]
    assert [row[:1] + row[3:] for row in table[1:]] == [
        ["Acme", "Ada Lovelace, Brian Kernighan", "Chris Date"],
        ["Globex", "Grace Hopper", "Dennis Ritchie, Edsger Dijkstra"],
        ["Initech", "—", "—"],
    ]
    assert {tuple(row[1:3]) for row in table[1:]} == {("not given yet", "not named yet")}


def test_section_prose_status_and_placeholder(agreement):
    purpose = section_tokens(agreement, SECTION_HEADINGS[0])
    texts = all_text(purpose)
    assert texts[0] == "Status: Agreed · Endorsed by: Acme, Globex, Initech"
    assert texts[1:3] == [
        "Move freight across the northern corridor faster and cheaper than any of us could alone.",
        "In scope: road and rail transfers.\nOut of scope: air freight.",
    ]
    expectations = section_tokens(agreement, SECTION_HEADINGS[3])
    assert all_text(expectations) == ["Status: Not started", "Not yet drafted."]
    placeholder = [t for t in expectations if t.type == "inline"][1]
    assert [c.type for c in placeholder.children][0] == "em_open"
    roles_section = section_tokens(agreement, SECTION_HEADINGS[4])
    assert all_text(roles_section)[0] == "Status: Draft"  # no prose, but its table has the room's roles
    contract = section_tokens(agreement, SECTION_HEADINGS[10])
    assert all_text(contract)[0] == "Status: To address"  # fed by a weak point, nothing written


def test_structured_tables(agreement):
    measures = table_with_header(agreement, "Measure")
    assert measures[0] == ["Measure", "Kind", "How measured", "Target", "Owner", "Review"]
    assert [row[:2] for row in measures[1:]] == [
        ["Revenue from the alliance", "Economic"],
        ["Trust between the partners", "Relational"],
        ["Conflict resolution", "Relational"],
    ]
    assert measures[3][3:5] == ["—", "—"]
    roles = table_with_header(agreement, "Partner", "Person")
    assert roles[1:] == [
        ["Acme", "Ada Lovelace", "Warehousing"],
        ["Globex", "Grace Hopper", "Routing and IT"],
        ["Joint", "Chris Date", "Alliance manager"],
    ]
    tasks = table_with_header(agreement, "Task")
    assert tasks[0] == ["Task", "Owner", "Partner", "Due", "Status"]
    assert tasks[1:] == [
        ["Write the joint purpose statement", "Ada Lovelace", "Acme", "2026-04-30", "Open"],
        ["Set up the benefits tracker", "Grace Hopper", "Joint", "—", "Done"],
    ]
    meetings = table_with_header(agreement, "Date", "Mode")
    assert meetings[1:] == [
        ["2025-04-10", "In person", "Kick-off dinner. / Agreed to formalise."],
        ["2025-10-02", "Remote", "Reviewed Q3 figures."],
    ]
    governance = all_text(section_tokens(agreement, SECTION_HEADINGS[6]))
    assert "Next sponsor meeting: 2026-09-15" in governance


def test_signature_line_for_every_sponsor(agreement):
    table = table_with_header(agreement, "Name", "Title")
    assert [[row[0], row[2]] for row in table[1:]] == [
        ["Ada Lovelace", "Acme"],
        ["Brian Kernighan", "Acme"],
        ["Grace Hopper", "Globex"],
        ["____________________", "Initech"],  # a partner without a named sponsor still signs
    ]
    assert all(set(row[1]) == set(row[3]) == set(row[4]) == {"_"} for row in table[1:])


def test_health_snapshot_and_open_actions(session, agreement):
    snapshot = table_with_header(agreement, "#", "Point")
    assert snapshot[0] == ["#", "Point", "Acme", "Globex", "Initech", "Mean", "Spread", "Agreed", "Flag"]
    by_number = {row[0]: row for row in snapshot[1:]}
    assert len(by_number) == 10
    assert by_number["1"][2:] == ["3", "3", "2", "2.7", "1", "3", ""]  # the agreed score beside the mean
    assert by_number["2"][2:] == ["1", "3", "?", "2.0", "2", "-", "gap"]
    assert by_number["3"][2:] == ["0", "4", "2", "2.0", "4", "-", "gap"]
    assert by_number["5"][2:] == ["n/a", "1", "1", "1.0", "0", "-", "weak"]
    assert by_number["8"][2:] == ["?", "?", "?", "-", "-", "-", ""]
    assert by_number["10"][2:] == ["-", "-", "-", "-", "-", "-", ""]
    joint = formatting.format_index(scoring.joint_index(session, CHECKLIST))
    index_line = next(t for t in all_text(agreement) if t.startswith("Joint health index"))
    assert index_line.startswith(f"Joint health index: {joint} / 100")
    for partner in session.partners:
        value = formatting.format_index(scoring.partner_index(session, CHECKLIST, partner.key))
        assert f"{partner.name}: {value}" in index_line
    actions = table_with_header(agreement, "Action")
    assert [row[0] for row in actions[1:]] == [
        "Draft Initech's partner profile",
        "Propose benefit measures",
        "Circulate the minutes",
    ]  # the done action is left out
    assert actions[1][4] == "2. Needs, strengths, weaknesses shared"


def test_attribution_ends_both_documents(agreement, scorecard):
    for tokens in (agreement, scorecard):
        assert all_text(tokens)[-1] == CHECKLIST.source
        assert all_text(tokens)[-2].endswith("(health checklist version 1).")
        assert tokens[-7].type == "hr"


def test_scorecard_contents(session, scorecard):
    assert headings(scorecard, 1) == ["Northern Logistics Alliance: Partnership health scorecard"]
    # Only the points with notes or comments get a heading (not "No notes." ten times); their actions
    # are in the action plan.
    assert [h for h in headings(scorecard, 3)] == [POINT_HEADINGS[i] for i in (1, 2)]
    index = table_with_header(scorecard, "Partner", "Health index (0-100)")
    assert index[-1] == ["Joint", formatting.format_index(scoring.joint_index(session, CHECKLIST))]
    scale = table_with_header(scorecard, "Score", "Meaning")
    assert [row[:2] for row in scale[1:]] == [[str(s.value), s.label] for s in CHECKLIST.scale + CHECKLIST.special]
    scores = table_with_header(scorecard, "#", "Point")
    assert scores[0][-2:] == ["Joint", "Flag"]
    assert scores[1][2:] == ["3", "3", "2", "3", ""]  # point 1: agreed 3 (the partners' mean 2.7)
    assert scores[3][2:] == ["0", "4", "2", "2.0", "gap"]  # point 3: not agreed, the mean
    expected_order = [s.key for s in scoring.discussion_order(scoring.all_point_stats(session, CHECKLIST))]
    discuss = section_tokens(scorecard, "Discuss first")
    assert [t.type for t in discuss].count("list_item_open") == len(expected_order)
    items = [t for t in discuss if t.type == "inline"][1:]
    titles = {p.key: f"{p.number}. {p.title}" for p in CHECKLIST.points}
    assert [text.split(":")[0] for text in map(inline_text, items)] == [titles[k] for k in expected_order]
    mutual = all_text(section_tokens(scorecard, POINT_HEADINGS[2]))
    assert mutual == ["Globex sees clear gains; Acme does not yet.", "Agreed to list each partner's expected benefits."]
    assert "No notes." not in all_text(scorecard)


def test_scorecard_order_summary_first_scale_in_the_appendix(scorecard):
    order = headings(scorecard, 2)
    assert order[0] == "Summary" and order[-1] == "Appendix: scale and method"
    assert order.index("Scores") < order.index("Action plan") < order.index("Decisions") < order.index("Next meeting")
    appendix = section_tokens(scorecard, "Appendix: scale and method")
    assert any(t.type == "table_open" for t in appendix)  # the scale table is there, not before the scores


def test_scorecard_summary_is_written_from_the_data(session):
    tokens = parse(reports.render(session, "scorecard", today="2026-04-20"))
    summary = " ".join(all_text(section_tokens(tokens, "Summary")))
    joint = formatting.format_index(scoring.joint_index(session, CHECKLIST))
    assert f"The joint health index is {joint} out of 100." in summary
    first = scoring.discussion_order(scoring.all_point_stats(session, CHECKLIST))[0]
    number = next(p.number for p in CHECKLIST.points if p.key == first.key)
    assert f"Discuss first: {number}. " in summary
    assert "Sponsor meetings (point 6): not met; sponsors met in person once" in summary
    assert "3 actions open, 1 of them overdue as of 2026-04-20; 1 done." in summary
    # Nothing overdue yet on the day of the meeting; a review tells the change of the joint index.
    early = " ".join(
        all_text(section_tokens(parse(reports.render(session, "scorecard", today="2026-03-12")), "Summary"))
    )
    assert "3 actions open; 1 done." in early


def test_scorecard_summary_names_the_exit_triggers_hit(session):
    checklist = content.load_checklist(session.checklist_version)
    context = reports.build_context(session, checklist, today="2026-04-20")
    assert context["exit_triggers_hit"] == []  # filled in by the agreement's trigger checks
    from facilitator.reports.context import summary_paragraph

    hit = {**context, "exit_triggers_hit": ["Joint index below 40 at two reviews running"]}
    assert "Exit or renegotiation triggers hit: Joint index below 40 at two reviews running." in summary_paragraph(hit)
    checked = {**context, "exit_triggers_checked": True}
    assert "No exit or renegotiation trigger is hit." in summary_paragraph(checked)
    assert "trigger" not in summary_paragraph(context)  # not checked: nothing claimed


def test_scorecard_has_the_full_action_plan_the_decisions_and_the_next_meeting(session):
    scorecard = parse(reports.render(session, "scorecard", today="2026-04-20"))
    plan = table_with_header(scorecard, "Action", "Point")
    assert plan[0] == ["Action", "Point", "Owner", "Partner", "Due", "Status"]
    assert plan[1:] == [
        ["Draft Initech's partner profile", "2", "Dennis Ritchie", "Initech", "2026-04-15", "Overdue"],
        ["Propose benefit measures", "3", "Ada Lovelace", "Acme", "2026-05-01", "Open"],
        ["Book the autumn sponsor meeting", "6", "Grace Hopper", "Joint", "—", "Done"],
        ["Circulate the minutes", "—", "Frances Allen", "Joint", "—", "Open"],  # linked to no point
    ]
    later = table_with_header(parse(reports.render(session, "scorecard", today="2026-06-01")), "Action", "Point")
    assert [row[-1] for row in later[1:]] == ["Overdue", "Overdue", "Done", "Open"]  # no due date: never overdue
    decisions = table_with_header(scorecard, "Date", "Decision")
    assert decisions[1:] == [["2026-03-12", "Adopt the default relational measures."]]
    assert all_text(section_tokens(scorecard, "Next meeting"))[0] == "2026-09-15"


PAGE_FIT_PARTNERS = (
    ["Acme", "Globex"],
    ["Northwind Logistics", "Harbourline Freight", "Meridian Data Systems"],
    ["Northwind Logistics", "Harbourline Freight", "Meridian Data Systems", "Southbay Ports"],
    [f"Partner {i}" for i in range(8)],
)


def test_scorecard_tables_fit_the_page_in_pandoc_html():
    """pandoc sizes a long table's columns by the dashes of its delimiter row: together they stay
    within the page, the flag and status columns keep room for their words, the title the most."""
    import re

    import pypandoc

    for names in PAGE_FIT_PARTNERS:
        html = pypandoc.convert_text(
            reports.render(rich_session(partner_names=names), "scorecard", today="2026-04-20"),
            "html",
            format="markdown",
        )
        for last in ("Flag", "Status"):
            end = html.index(f"<th>{last}</th>")
            table = html[html.rindex("<table", 0, end) : end]
            widths = [int(w) for w in re.findall(r"<col style=\"width: (\d+)%\"", table)]
            assert widths and sum(widths) <= 100, (names, last, widths)
            assert widths[-1] >= 7, (names, last, widths)
            if last == "Flag":
                assert widths[1] == max(widths)  # the point's title


def test_no_scorecard_table_overflows_the_page_in_a_browser(tmp_path):
    """In pandoc's own HTML page (text 36em wide, narrower than A4) a table wider than the text is cut
    off behind a scroll bar: Chromium lays each out and no table may be wider than its box."""
    import pypandoc

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("needs Debian's chromium (apt-get install chromium)")
    from history_support import build_sessions
    from playwright.sync_api import sync_playwright

    from facilitator.domain.history import build_timeline

    pages = [rich_session(partner_names=names) for names in PAGE_FIT_PARTNERS]
    reviews = build_sessions()
    documents = [reports.render(s, "scorecard", today="2026-04-20") for s in pages]
    documents.append(reports.render(reviews[3], "scorecard", history=build_timeline(reviews, reviews[3].id)))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 794, "height": 1123})  # A4 at 96 dpi
            for number, markdown_text in enumerate(documents):
                target = tmp_path / f"scorecard-{number}.html"
                pypandoc.convert_text(
                    markdown_text, "html", format="markdown", outputfile=str(target), extra_args=["--standalone"]
                )
                page.goto(target.as_uri())
                sizes = page.evaluate(
                    "[...document.querySelectorAll('table')].map(t => [t.rows[0].cells[0].textContent, "
                    "t.rows[0].cells[t.rows[0].cells.length - 1].textContent, t.scrollWidth, t.clientWidth])"
                )
                assert len(sizes) >= 5
                for first, last, wide, box in sizes:
                    assert wide <= box, f"scorecard {number}: the table '{first} ... {last}' is cut off"
        finally:
            browser.close()


def test_a_scorecard_without_notes_actions_or_decisions_says_so_once():
    session = Session(id="bare", alliance="Bare", partners=make_partners(["A", "B"]), date="2026-01-01", created_at="x")
    tokens = parse(reports.render(session, "scorecard"))
    texts = all_text(tokens)
    assert headings(tokens, 3) == [] and "Notes by point" not in headings(tokens, 2)  # notes only where some
    assert "No actions recorded." in texts and "No decisions recorded." in texts
    assert all_text(section_tokens(tokens, "Next meeting"))[0] == "Not set."


def test_two_partners_and_many_partners_render():
    for names in (["Acme", "Globex"], ["Acme", "Globex", "Initech"]):
        tokens = parse(reports.render(rich_session(partner_names=names), "scorecard"))
        assert table_with_header(tokens, "#", "Point")[0][2 : 2 + len(names)] == names
    # More than three: short column heads, spelt out above the table, so the table fits the page.
    names = ["Northwind Logistics", "Harbourline Freight"] + [f"Partner {i}" for i in range(10)]
    tokens = parse(reports.render(rich_session(partner_names=names), "scorecard"))
    labels = ["NL", "HF"] + [f"P{i}" for i in range(10)]
    from facilitator.reports.context import column_labels

    assert column_labels(["P 3", "Beta", "Beta", "!!!"]) == ["P3", "B", "P7", "P4"]  # never the same twice
    assert table_with_header(tokens, "#", "Point")[0][2 : 2 + len(names)] == labels
    key = next(t for t in all_text(section_tokens(tokens, "Scores")) if t.startswith("Columns:"))
    assert key == "Columns: " + "; ".join(f"{label} = {name}" for label, name in zip(labels, names)) + "."


def test_empty_session_renders():
    session = Session(
        id="empty", alliance="Empty", partners=make_partners(["A", "B"]), date="2026-01-01", created_at="x"
    )
    agreement = parse(reports.render(session, "agreement"))
    assert [h for h in headings(agreement, 2) if h in SECTION_HEADINGS] == SECTION_HEADINGS
    assert "No open actions." in all_text(agreement)
    assert "No point shows a gap or a weak score." in all_text(parse(reports.render(session, "scorecard")))


def test_rendering_is_deterministic(session):
    for document in reports.DOCUMENTS:
        assert reports.render(session, document) == reports.render(session, document)
    assert reports.build_context(session, CHECKLIST) == reports.build_context(session, CHECKLIST)
    later = dataclasses.replace(session, saved_at="2030-01-01T00:00:00+00:00", created_at="2030-01-01T00:00:00+00:00")
    assert reports.render(later, "agreement") == reports.render(session, "agreement")


def test_context_is_plain_data(session):
    def check(value):
        if isinstance(value, dict):
            assert all(isinstance(k, str) for k in value)
            for item in value.values():
                check(item)
        elif isinstance(value, list):
            for item in value:
                check(item)
        else:
            assert value is None or type(value) in (str, int, float, bool), type(value)

    check(reports.build_context(session, CHECKLIST))


def test_changes_since_is_off_by_default(session):
    plain = reports.render(session, "agreement")
    marked = reports.render(session, "agreement", changes_since="the review of 2025-10-02")
    assert plain != marked
    assert not any("Changes since" in text for text in all_text(parse(plain)))
    assert any("Changes since the review of 2025-10-02" in text for text in all_text(parse(marked)))


# --------------------------------------------------------------------------------------------
# Hostile text round-trips


def plain_twin(text: str) -> str:
    """Harmless text with the same line and paragraph shape."""
    return "\n".join("plain words" if line.strip() else "" for line in text.split("\n"))


@pytest.mark.parametrize("text", HOSTILE + [HOSTILE_MULTILINE])
def test_hostile_text_shows_as_typed_and_keeps_the_structure(text):
    hostile, plain = rich_session(hostile=text), rich_session(hostile=plain_twin(text))
    one_line = "\n" not in text and text.strip() == text
    for document in reports.DOCUMENTS:
        tokens = parse(reports.render(hostile, document))
        assert no_html(tokens)
        assert block_types(tokens) == block_types(parse(reports.render(plain, document)))

    agreement = parse(reports.render(hostile, "agreement"))
    as_cell = " / ".join(line.strip() for line in text.split("\n") if line.strip())
    measures = table_with_header(agreement, "Measure")
    assert measures[2][0] == as_cell and measures[2][4] == as_cell
    assert table_with_header(agreement, "Task")[1][0] == as_cell
    assert table_with_header(agreement, "Date", "Mode")[2][2] == as_cell
    assert table_with_header(agreement, "Partner", "Person")[2][2] == as_cell
    profile = [t for t in section_tokens(agreement, SECTION_HEADINGS[1]) if t.type == "inline"]
    assert [inline_text(t) for t in profile[1:]] == [text]  # after the status line
    if one_line:
        assert table_with_header(agreement, "Partner", "Legal name")[1][0] == text
        assert table_with_header(agreement, "#", "Point")[0][2] == text
    scorecard = parse(reports.render(hostile, "scorecard"))
    notes = all_text(section_tokens(scorecard, POINT_HEADINGS[2]))
    assert notes[0] == text
    assert table_with_header(scorecard, "Action", "Point")[2][0] == as_cell


def test_hostile_partner_and_alliance_names_in_headings_and_text():
    session = rich_session()
    session.partners[0].name = HOSTILE_NAME
    session.alliance = "# <script>x</script> | Alliance ==="
    for document in reports.DOCUMENTS:
        tokens = parse(reports.render(session, document))
        assert no_html(tokens)
        assert headings(tokens, 1)[0].startswith(session.alliance + ":")
        assert len(headings(tokens, 1)) == 1
    agreement = parse(reports.render(session, "agreement"))
    assert table_with_header(agreement, "Partner", "Legal name")[1][0] == HOSTILE_NAME
    assert f"\nPartners: {HOSTILE_NAME}, Globex and Initech\n" in all_text(agreement)[2]


def test_a_custom_template_that_forgets_filters_is_still_safe(tmp_path):
    session = rich_session(hostile=HOSTILE_MULTILINE)
    session.partners[0].name = "<img src=x onerror=alert(1)>"
    folder = custom_dir(
        tmp_path,
        "# {{ title.alliance }}\n\n{% for p in partners %}{{ p.name }}\n{% endfor %}\n"
        "\n{{ sections[1].text }}\n\n{{ changes_since }}{{ health.joint }}\n",
    )
    tokens = parse(reports.render(session, "agreement", folder))
    assert (
        block_types(tokens)
        == ["heading_open", "inline", "heading_close"] + ["paragraph_open", "inline", "paragraph_close"] * 3
    )
    assert no_html(tokens)
    joint = scoring.joint_index(session, CHECKLIST)
    assert all_text(tokens)[1:] == ["<img src=x onerror=alert(1)>\nGlobex\nInitech", " ".join(HOSTILE), str(joint)]


# --------------------------------------------------------------------------------------------
# Escaping helpers


MARKDOWN_ALPHABET = st.sampled_from(
    list("#>-+*=_`~[]()<>!|\\&;.:0123456789 \tab")
    + ["\n", "\n\n", "&amp;", "<b>", "    ", "1. ", "- ", "```", ":-", "==="]
)
markdown_text = st.lists(MARKDOWN_ALPHABET, min_size=1, max_size=14).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown_text, st.sampled_from(["{}", "para {}", "- {}", "## {}", "x\n{}", "{} tail"]))
def test_inline_keeps_text_and_structure(text, context):
    tokens = parse(context.format(markdown.inline(text)))
    reference = parse(context.format("plain"))
    assert block_types(tokens) == block_types(reference)
    one_line = text.replace("\r\n", " ").replace("\n", " ")
    assert all_text(tokens) == [t.replace("plain", one_line) for t in all_text(reference)]


@settings(max_examples=300, deadline=None)
@given(markdown_text)
def test_cell_and_block_keep_text_and_structure(text):
    row = parse(f"| A | B |\n|---|---|\n| {markdown.cell(text)} | z |\n")
    expected = " / ".join(line.strip(" \t") for line in text.split("\n") if line.strip(" \t"))
    assert all_text(row) == ["A", "B", expected, "z"]

    tokens = parse(f"Intro\n\n{markdown.block(text)}\n\nEnd\n")
    assert set(block_types(tokens)) <= {"paragraph_open", "inline", "paragraph_close"}
    paragraphs, current = [], []
    for line in text.split("\n"):
        if line.strip(" \t"):
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    assert all_text(tokens) == ["Intro", *paragraphs, "End"]


def test_finalize_and_markdown_safe():
    assert markdown.finalize(None) == ""
    assert markdown.finalize(3) == "3" and markdown.finalize(2.5) == "2.5"
    assert markdown.finalize("<b>") == "\\<b\\>"
    safe = markdown.block("# a")
    assert isinstance(safe, markdown.MarkdownSafe) and markdown.finalize(safe) is safe
    assert markdown.cell(markdown.block("a\nb\n\nc")) == "a / b / c"
    assert markdown.cell("", "—") == "—" and markdown.cell(None) == ""


# --------------------------------------------------------------------------------------------
# Broken and hostile templates


def test_custom_templates_dir_is_used(tmp_path, session):
    folder = custom_dir(tmp_path, "Custom agreement for {{ title.alliance }}\n")
    assert reports.render(session, "agreement", folder) == "Custom agreement for Northern Logistics Alliance\n"


def test_missing_template_in_custom_dir_names_the_file(tmp_path, session):
    folder = custom_dir(tmp_path, "x", document="agreement")
    with pytest.raises(ReportError) as error:
        reports.render(session, "scorecard", folder)
    assert str(folder / "scorecard.md.j2") in str(error.value)
    with pytest.raises(ReportError, match="not found"):
        reports.render(session, "agreement", tmp_path / "no-such-folder")


def test_unknown_document(session):
    with pytest.raises(ReportError, match="Unknown document 'minutes'"):
        reports.render(session, "minutes")


def test_typo_in_variable_names_file_and_line(tmp_path, session):
    folder = custom_dir(tmp_path, "# {{ title.alliance }}\n\n{{ titel.alliance }}\n")
    with pytest.raises(ReportError) as error:
        reports.render(session, "agreement", folder)
    message = str(error.value)
    assert "agreement.md.j2" in message and "line 3" in message and "titel" in message
    assert "\n" not in message and "Traceback" not in message


def test_missing_attribute_names_file_and_line(tmp_path, session):
    folder = custom_dir(tmp_path, "a\nb\n{% for p in partners %}\n{{ p.nmae }}\n{% endfor %}\n")
    with pytest.raises(ReportError, match=r"agreement\.md\.j2, line 4: .*nmae"):
        reports.render(session, "agreement", folder)


def test_error_in_an_included_template_names_that_file(tmp_path, session):
    folder = custom_dir(tmp_path, "top\n{% include 'part.md.j2' %}\n")
    (folder / "part.md.j2").write_text("one\ntwo\n{{ 1 / 0 }}\n", encoding="utf-8")
    with pytest.raises(ReportError, match=r"part\.md\.j2, line 3: ZeroDivisionError"):
        reports.render(session, "agreement", folder)


def test_syntax_error_names_file_and_line(tmp_path, session):
    folder = custom_dir(tmp_path, "ok\nok\n{% for x in %}\n{% endfor %}\n")
    with pytest.raises(ReportError, match=r"agreement\.md\.j2, line 3: syntax error"):
        reports.render(session, "agreement", folder)


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ title.alliance.__class__.__base__.__subclasses__() }}",
        "{{ ''.format.__globals__ }}",
        "{{ 'a'.translate({97: 'b'}) }}",
    ],
)
def test_sandbox_escapes_are_refused(tmp_path, session, source):
    with pytest.raises(ReportError, match=r"agreement\.md\.j2"):
        reports.render(session, "agreement", custom_dir(tmp_path, source))


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'a' * 50000000 }}",
        "{{ ['a'] * 50000000 }}",
        "{{ 10 ** 10000000 }}",
        "{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
        "{{ ('a' * 999999)|replace('a', 'a' * 999999) }}",
        "{{ ('a' * 999999).replace('a', 'a' * 999999) }}",
        "{{ (['x' * 999999] * 999999)|join }}",
        "{{ ''.join(['x' * 999999] * 999999) }}",
        "{{ 'a'.ljust(999999999) }}",
        "{{ ('a\\n' * 400000)|indent(999999) }}",
        "{{ '%999999999s'|format(1) }}",
        "{{ '%999999999s' % 1 }}",
        "{{ '{:999999999}'.format(1) }}",
        "{% for i in range(99999) %}{{ 'x' * 999999 }}{% endfor %}",
    ],
)
def test_huge_values_are_refused_fast(tmp_path, session, source):
    started = time.monotonic()
    with pytest.raises(ReportError, match=r"agreement\.md\.j2"):
        reports.render(session, "agreement", custom_dir(tmp_path, source))
    assert time.monotonic() - started < 1.5


def test_runaway_loop_is_stopped_within_the_deadline(tmp_path, session):
    threads = threading.active_count()
    folder = custom_dir(tmp_path, "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}")
    started = time.monotonic()
    with pytest.raises(ReportError, match="took more than 2 s; check it for runaway loops"):
        reports.render(session, "agreement", folder)
    assert time.monotonic() - started < 3
    deadline = time.monotonic() + 2
    while threading.active_count() > threads and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threading.active_count() == threads  # the runaway thread really stopped


def test_deadline_is_a_parameter(tmp_path, session):
    folder = custom_dir(tmp_path, "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}")
    started = time.monotonic()
    with pytest.raises(ReportError, match="took more than 0.2 s"):
        reports.render(session, "agreement", folder, timeout=0.2)
    assert time.monotonic() - started < 1.5


def test_ordinary_template_features_still_work(tmp_path, session):
    folder = custom_dir(
        tmp_path,
        "{{ '%d'|format(12345678) }} {{ 2 ** 10 }} {{ [1, 2]|join(', ') }} "
        "{{ 'x' * 3 }} {{ 'a' ~ 'b' }} {{ partners|map(attribute='name')|join('/') }} "
        "{{ '{} and {}'.format('a', 'b') }} {{ health.joint }}\n",
    )
    joint = scoring.joint_index(session, CHECKLIST)
    assert (
        reports.render(session, "agreement", folder)
        == f"12345678 1024 1, 2 xxx ab Acme/Globex/Initech a and b {joint}\n"
    )


def test_macro_output_is_not_escaped_twice(tmp_path, session):
    session = rich_session(hostile="a | b")
    folder = custom_dir(
        tmp_path,
        "{% macro row(cells) %}|{% for c in cells %} {{ c|cell }} |{% endfor %}{% endmacro %}"
        "| Name | Owner |\n|---|---|\n{% for m in measures.all %}{{ row([m.name, m.owner]) }}\n"
        "{% endfor %}",
    )
    table = tables(parse(reports.render(session, "agreement", folder)))[0]
    assert table[0] == ["Name", "Owner"]
    assert table[1:] == [["Revenue from the alliance", "Ada Lovelace"], ["a | b", "a | b"], ["Conflict resolution", ""]]


def test_old_jinja_is_refused(monkeypatch, session):
    monkeypatch.setattr(reports.jinja2, "__version__", "3.1.5")
    with pytest.raises(ReportError, match="3.1.6"):
        reports.render(session, "agreement")


# --------------------------------------------------------------------------------------------
# Checklist versions


def test_render_uses_the_sessions_checklist_version(monkeypatch):
    real = content.load_checklist

    def load(version: int = 1):
        if version == 2:
            base = real(1)
            sections = tuple(s._replace(title=f"{s.title} (v2)") for s in base.sections)
            return base._replace(version=2, source="Checklist two source.", sections=sections)
        return real(version)

    monkeypatch.setattr(content, "load_checklist", load)
    session = rich_session()
    session.checklist_version = 2
    tokens = parse(reports.render(session, "agreement"))
    assert "1. Purpose and strategic framework (v2)" in headings(tokens, 2)
    assert all_text(tokens)[-1] == "Checklist two source."
    assert all_text(tokens)[-2].endswith("(health checklist version 2).")


def test_unknown_checklist_version_is_a_report_error(session):
    old = dataclasses.replace(session, checklist_version=999)
    with pytest.raises(ReportError, match="Checklist version 999"):
        reports.render(old, "scorecard")


# --------------------------------------------------------------------------------------------
# Export


def test_export_writes_the_rendered_document(tmp_path, session):
    target = tmp_path / "agreement.md"
    assert reports.export(session, "agreement", target) == target
    assert target.read_text(encoding="utf-8") == reports.render(session, "agreement")


def test_failed_export_leaves_the_earlier_file_identical(tmp_path, session):
    target = tmp_path / "scorecard.md"
    reports.export(session, "scorecard", target)
    before = target.read_bytes()
    broken = custom_dir(tmp_path, "{{ oops }}", document="scorecard")
    with pytest.raises(ReportError):
        reports.export(session, "scorecard", target, broken)
    runaway = custom_dir(tmp_path, "{% for i in range(99999) %}{{ 'x' * 999999 }}{% endfor %}", document="scorecard")
    with pytest.raises(ReportError):
        reports.export(session, "scorecard", target, runaway)
    assert target.read_bytes() == before
    # No temporary left: the document, its charts, the templates.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures", "scorecard.md", "templates"]
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["scorecard-heatmap.svg", "scorecard-radar.svg"]


def test_export_path_errors_are_one_sentence(tmp_path, session):
    with pytest.raises(ReportError, match="does not exist") as error:
        reports.export(session, "agreement", tmp_path / "missing" / "agreement.md")
    assert "\n" not in str(error.value)
    with pytest.raises(ReportError, match="is a folder"):
        reports.export(session, "agreement", tmp_path)


def test_export_write_failures_are_one_sentence(tmp_path, session, monkeypatch):
    import errno

    from facilitator.storage import atomic

    def refuse(files):
        raise PermissionError(errno.EACCES, "Permission denied", str(files[0].path))

    monkeypatch.setattr(atomic, "atomic_write_all", refuse)  # the export writes through it, with its charts
    with pytest.raises(ReportError, match=r"agreement\.md: permission denied\.$"):
        reports.export(session, "agreement", tmp_path / "agreement.md")

    def disk_full(files):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "atomic_write_all", disk_full)
    with pytest.raises(ReportError, match=r"No space left on device\.$"):
        reports.export(session, "agreement", tmp_path / "agreement.md")


@pytest.mark.parametrize(
    "text", ["_www.example.com", "~www.example.com", "(www.example.com", "*www.example.com", "see www.example.com"]
)
def test_a_bare_www_is_never_a_link_under_gfm(text):
    """GFM links "www." after white space, '_', '~', '(' or '*'; escaped, it stays the text typed."""
    import json

    import pypandoc

    source = markdown.inline(text)
    ast = json.dumps(json.loads(pypandoc.convert_text(source, "json", format="gfm")))
    assert '"Link"' not in ast, source
    assert "www.example.com" in pypandoc.convert_text(source, "plain", format="gfm")
