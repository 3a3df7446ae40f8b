"""The actions pane (action items, decisions, next meeting), the action form other panes reuse, and
the close pane's summary, driven with keys and the mouse over the demo session."""

from __future__ import annotations

from textual.widgets import Input, Select, Static

from facilitator.domain.model import ActionItem
from facilitator.tui.dialogs.confirm import ConfirmScreen
from facilitator.tui.dialogs.item_forms import ActionForm, DecisionForm
from facilitator.tui.panes.actions import ActionsPane
from facilitator.tui.panes.close import ClosePane
from facilitator.tui.widgets.decision_list import DecisionList
from facilitator.tui.widgets.item_table import ActionTable

from .pane_harness import PaneHarness, screen_text

SIZE = (100, 30)


def pane_of(app) -> ActionsPane:
    return app.screen_stack[0].query_one("#pane")


async def test_add_an_action_with_the_form():
    app = PaneHarness(ActionsPane)
    session = app.session
    count = len(session.actions)
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        table = pane.query_one(ActionTable)
        assert app.focused is table and table.row_count == count

        await pilot.press("n")
        form = app.screen
        assert isinstance(form, ActionForm)
        await pilot.press(*"Share the port volumes", "tab", *"Tomás Ribeiro", "tab")
        # The partner, chosen with the keyboard: open the list, the second partner, Enter.
        await pilot.press("enter", "home", "down", "enter")
        await pilot.pause()
        assert form.query_one("#field-partner", Select).value == "harbourline-freight"
        await pilot.press("tab", *"2026-04-15", "ctrl+s")
        await pilot.pause()

        assert app.screen is not form
        assert len(session.actions) == count + 1
        added = session.actions[-1]
        assert (added.text, added.owner, added.partner, added.due, added.status, added.point) == (
            "Share the port volumes",
            "Tomás Ribeiro",
            "harbourline-freight",
            "2026-04-15",
            "open",
            "",
        )
        assert app.edits == ["action"]
        assert table.row_count == count + 1 and table.current_key() == added.id
        assert "Share the port volumes" in screen_text(app)
        assert "4 open" in str(pane.query_one("#actions-heading", Static).content)


async def test_an_empty_action_or_a_wrong_due_date_adds_nothing():
    app = PaneHarness(ActionsPane)
    session = app.session
    before = [a.to_dict() for a in session.actions]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("N")  # Shift+N as well as n
        form = app.screen
        assert isinstance(form, ActionForm)
        await pilot.press("enter")
        assert app.screen is form
        assert "cannot be empty" in form.errors()["text"]
        assert app.focused is form.query_one("#field-text", Input)

        await pilot.press(*"Call the sponsors", "tab", "tab", "tab", *"next week", "enter")
        assert app.screen is form
        errors = form.errors()
        assert list(errors) == ["due"] and "YYYY-MM-DD" in errors["due"]
        assert "is not a date" in screen_text(app)
        assert app.focused is form.query_one("#field-due", Input)

        await pilot.press("escape")
        await pilot.pause()
        assert [a.to_dict() for a in session.actions] == before
        assert app.edits == []


async def test_edit_complete_and_delete_actions():
    app = PaneHarness(ActionsPane)
    session = app.session
    first = session.actions[0]
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        table = pane.query_one(ActionTable)
        assert table.current_key() == first.id

        # Edit with Enter: the form is filled in; change the owner.
        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, ActionForm)
        assert form.query_one("#field-text", Input).value == first.text
        assert form.query_one("#field-point", Select).value == "mutual-benefit"
        owner = form.query_one("#field-owner", Input)
        owner.value = ""
        owner.focus()
        await pilot.press(*"Lena Fischer", "enter")
        await pilot.pause()
        edited = session.actions[0]
        assert (edited.id, edited.owner, edited.text, edited.point) == (
            first.id,
            "Lena Fischer",
            first.text,
            "mutual-benefit",
        )

        # Done and open again: space, then x.
        await pilot.press("space")
        assert session.actions[0].status == "done"
        assert "2 open · 1 done" in str(pane.query_one("#actions-heading", Static).content)
        await pilot.press("x")
        assert session.actions[0].status == "open"
        assert app.edits == ["action", "action", "action"]

        # Delete asks first; "n" keeps the item, "y" removes it.
        await pilot.press("down", "delete")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert len(session.actions) == 3
        second = session.actions[1]
        await pilot.press("delete", "y")
        await pilot.pause()
        assert [a.id for a in session.actions] == [session.actions[0].id, session.actions[1].id]
        assert second not in session.actions
        assert table.row_count == 2


async def test_buttons_work_by_mouse():
    app = PaneHarness(ActionsPane)
    session = app.session
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#action-toggle")
        assert session.actions[0].status == "done"
        await pilot.click("#action-new")
        await pilot.pause()
        assert isinstance(app.screen, ActionForm)
        await pilot.click("#form-cancel")
        await pilot.pause()
        assert not isinstance(app.screen, ActionForm)
        assert len(session.actions) == 3


async def test_record_a_decision_dated_with_the_session():
    app = PaneHarness(ActionsPane)
    session = app.session
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.press("f7")  # the agreement's key: nothing here
        assert app.screen is pane.screen
        await pilot.press("d")
        form = app.screen
        assert isinstance(form, DecisionForm)
        assert form.query_one("#field-date", Input).value == session.date
        await pilot.press(*"Meet in Lisbon in June", "enter")
        await pilot.pause()
        assert len(session.decisions) == 2
        decision = session.decisions[-1]
        assert (decision.text, decision.date) == ("Meet in Lisbon in June", "2026-03-02")
        assert app.edits == ["decision"]
        decisions = pane.query_one(DecisionList)
        assert decisions.option_count == 2 and decisions.current_key() == decision.id


async def test_next_meeting_refuses_an_impossible_date_and_keeps_the_old_one():
    app = PaneHarness(ActionsPane)
    session = app.session
    original = session.next_meeting
    assert original == "2026-06-30"
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.press("m")
        await pilot.pause()
        field = pane.query_one("#next-meeting", Input)
        assert app.focused is field
        await pilot.press("escape")  # letters are typed here; Escape goes back to the actions
        assert app.focused is pane.query_one("#action-table")
        await pilot.press("M")
        assert app.focused is field
        field.value = ""  # retyping passes through an empty field: that alone changes nothing
        await pilot.pause()
        assert session.next_meeting == original
        await pilot.press(*"2026-02-30", "enter")
        message = str(pane.query_one("#next-meeting-error", Static).content)
        assert "does not exist in the calendar" in message and "Tue 30 Jun 2026" in message
        assert field.has_class("-invalid")
        assert session.next_meeting == original
        assert "next-meeting" not in app.edits

        field.value = ""
        await pilot.press(*"2026-09-01")
        assert session.next_meeting == "2026-09-01"
        assert str(pane.query_one("#next-meeting-error", Static).content) == ""
        assert "in 183 days" in str(pane.query_one("#next-meeting-hint", Static).content)
        assert app.edits == ["next-meeting"]


async def test_action_form_for_a_checklist_point_leaves_storing_to_the_caller():
    """How the health check uses it: ActionForm(context, point_key=...) returns an ActionItem."""
    app = PaneHarness(ActionsPane)
    session = app.session
    results: list[ActionItem | None] = []
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ActionForm(app.context, point_key="trust-indicator"), results.append)
        await pilot.pause()
        assert "Linked to point 8: Trust as a formal indicator" in screen_text(app)
        await pilot.press(*"Report trust quarterly", "ctrl+s")
        await pilot.pause()
        assert len(results) == 1 and results[0].point == "trust-indicator"
        assert results[0].text == "Report trust quarterly"
        assert len(session.actions) == 3  # the caller stores it


async def test_close_summary_and_export():
    app = PaneHarness(ClosePane)
    session = app.session
    session.actions[1].status = "done"
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.pause()
        text = screen_text(app)
        assert "Health index" in text and "Joint" in text and "Harbourline Freight" in text
        assert "Tue 30 Jun 2026 · in 120 days" in text
        assert "1 of 12 sections agreed" in text
        sections = str(pane.query_one("#close-sections", Static).content)
        assert "1. Purpose and strategic framework" in sections
        assert "Open actions (2) · 1 done" in str(pane.query_one("#close-actions-heading", Static).content)
        assert "Decisions (1)" in str(pane.query_one("#close-decisions-heading", Static).content)

        session.next_meeting = ""
        pane.refresh_from_session()
        await pilot.pause()
        assert "Not set" in str(pane.query_one("#close-next", Static).content)

        from facilitator.tui.dialogs.export import ExportScreen

        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen) and app.screen.document == "scorecard"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#export-agreement")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen) and app.screen.document == "agreement"
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        await pilot.pause()
        assert app.edits == []


async def test_usable_at_80x24():
    app = PaneHarness(ActionsPane)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Draft one benefit measure" in text and "Decisions" in text and "Next meeting" in text
        await pilot.press("n")
        await pilot.press(*"Small screen action", "ctrl+s")
        await pilot.pause()
        assert app.session.actions[-1].text == "Small screen action"


async def test_a_file_of_long_actions_shows_each_cut_short_and_the_close_lists_a_page_of_them():
    """Red team: a shared file of 2,000 actions of 20,000 characters took a minute a key (every
    cell wrapped and measured, and the close step's table of every action)."""
    from facilitator.tui.widgets.plain_table import CELL_LONGEST

    long_text = "word " * 4_000
    app = PaneHarness(ActionsPane)
    session = app.session
    session.actions = [
        ActionItem(id=f"a{i}", text=f"{i:03} {long_text}", owner="Owen " * 500, due="2026-05-01") for i in range(45)
    ]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = pane_of(app).query_one(ActionTable)
        assert table.row_count == 45
        cells = [str(cell) for cell in table.get_row_at(0)]
        text = next(cell for cell in cells if cell.startswith("000 word"))
        assert max(len(cell) for cell in cells) == len(text) == CELL_LONGEST and text.endswith("…")
        assert session.actions[0].text == f"000 {long_text}"  # only the table's cell is cut

    app = PaneHarness(ClosePane)
    app.session.actions = session.actions
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        listed = app.screen.query_one("#close-actions", Static).content
        rows = list(listed.columns[0].cells)
        assert len(rows) == 31 and str(rows[-1]).startswith("… and 15 more")
        assert all(len(str(row)) <= CELL_LONGEST for row in rows)
