"""Suggested measures read as suggestions until the room keeps them (issue 12, item 10), and the
agreement's section statuses and the Close summary count what the room wrote (item 9)."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from textual.widgets import OptionList, Static

from facilitator.domain.content import load_checklist
from facilitator.domain.session_factory import create_session
from facilitator.reports import render as reports
from facilitator.tui.dialogs.item_forms import MeasureForm
from facilitator.tui.panes.agreement import AgreementPane
from facilitator.tui.panes.close import ClosePane
from facilitator.tui.widgets.item_table import ItemTable

from .pane_harness import PaneHarness, demo_session, screen_text

SIZE = (100, 30)
CHECKLIST = load_checklist(1)


def three_partner_session():
    session = create_session("Suggested Alliance", ["Acme", "Globex", "Initech"], date="2026-03-02")
    session.agenda.current_section = 2  # mutual benefits and measures
    return session


def first_cell(table: ItemTable, row: int) -> str:
    return str(table.get_row_at(row)[0])


def measures_table(markdown: str) -> list[str]:
    """The first cell of each body row of the agreement's measures table."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    names, in_measures, column = [], False, 0
    for token in tokens:
        if token.type == "heading_open":
            in_measures = False
        if token.type == "inline" and token.content == "Measures":
            in_measures = True
        if in_measures and token.type == "tr_open":
            column = 0
        if in_measures and token.type == "td_open":
            column += 1
        if in_measures and token.type == "inline" and column == 1:
            names.append(token.content)
            column = 2
    return names


def test_new_measures_are_suggestions_worded_for_any_number_of_partners():
    session = three_partner_session()
    assert len(session.measures) == 7 and all(m.suggested for m in session.measures)
    for measure in session.measures:
        words = f"{measure.name} {measure.how_measured} {measure.target}".casefold()
        assert "both" not in words.split(), measure  # three partners here, not two
    text = reports.render(session, "agreement")
    assert measures_table(text) == []  # not in the agreement until kept
    assert "*7 suggested measures are left out: the room has not kept them yet.*" in text
    session.measures[0].suggested = False
    text = reports.render(session, "agreement")
    assert measures_table(text) == ["Trust between the partners"]
    assert "6 suggested measures are left out" in text


async def test_suggestions_are_marked_and_k_keeps_one_delete_drops_one():
    session = three_partner_session()
    app = PaneHarness(AgreementPane, session=session)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.screen_stack[0].query_one(AgreementPane)
        await pilot.press("f9")
        table = pane.query_one("#section-table", ItemTable)
        assert app.focused is table
        assert first_cell(table, 0) == "suggested · Trust between the partners"
        assert "Keep suggestion" in screen_text(app)  # the footer teaches the key
        first = session.measures[0]
        await pilot.press("k")
        await pilot.pause()
        assert first.suggested is False and "measures" in app.edits
        assert first_cell(table, 0) == "Trust between the partners"
        assert "draft" in str(pane.query_one("#section-list", OptionList).get_option_at_index(2).prompt)
        await pilot.press("k")  # a kept measure stays kept
        assert first.suggested is False

        await pilot.press("down")
        second = session.measures[1]
        assert second.suggested
        await pilot.press("delete")  # a suggestion goes at once: nothing the room typed is lost
        await pilot.pause()
        assert second not in session.measures and len(session.measures) == 6


async def test_the_rooms_own_measure_replaces_the_suggestion_it_covers():
    session = three_partner_session()
    app = PaneHarness(AgreementPane, session=session)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.screen_stack[0].query_one(AgreementPane)
        await pilot.press("f9")
        await pilot.press("n")
        assert isinstance(app.screen, MeasureForm)
        await pilot.press(*"Trust survey score", "enter")
        await pilot.pause()
        names = [m.name for m in session.measures]
        assert "Trust survey score" in names and "Trust between the partners" not in names
        assert pane.query_one("#section-table", ItemTable).row_count == 7
    text = reports.render(session, "agreement")
    assert measures_table(text) == ["Trust survey score"]
    assert sum("rust" in name for name in measures_table(text)) == 1


async def test_section_statuses_count_table_rows_and_the_close_summary_adds_up():
    session = demo_session()
    session.section("governance").text = ""  # only its sponsor-meeting rows
    app = PaneHarness(AgreementPane, session=session)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.screen_stack[0].query_one(AgreementPane)
        await pilot.pause()
        governance = str(pane.query_one("#section-list", OptionList).get_option_at_index(6).prompt)
        assert "draft" in governance and "empty" not in governance

    app = PaneHarness(ClosePane, session=session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        line = str(app.screen_stack[0].query_one("#close-sections", Static).content).splitlines()[0]
        found = re.fullmatch(
            r"(\d+) of (\d+) sections agreed · (\d+) in draft · (\d+) to address · "
            r"(\d+) not started",
            line,
        )
        assert found, line
        agreed, total, draft, to_address, empty = map(int, found.groups())
        assert total == 12 and agreed + draft + to_address + empty == 12
        assert draft >= 5  # profiles, benefits (kept measures), roles, work plan, governance
