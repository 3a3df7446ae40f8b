"""The alliance history screen, driven with keys: from the session list (h) and from the meeting
workspace's command palette; trends, since last time, agreement changes, sponsor meetings, gaps."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.widgets import DataTable, OptionList, Static, TabbedContent
from tui_support import SIZE, seed_damaged, settle

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import ALLIANCE, IDS, damage, save_sessions  # noqa: E402

from facilitator.tui.screens.history import HistoryScreen  # noqa: E402
from facilitator.tui.screens.meeting import MeetingScreen  # noqa: E402
from facilitator.tui.screens.session_list import SessionListScreen  # noqa: E402


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def row_texts(table: DataTable) -> list[str]:
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def open_history_from_the_list(app, pilot) -> HistoryScreen:
    await settle(app, pilot)
    assert isinstance(app.screen, SessionListScreen)
    assert app.screen.selected_id() == IDS[3]  # the newest session is first
    await pilot.press("h")
    await settle(app, pilot, rounds=3)
    assert isinstance(app.screen, HistoryScreen)
    return app.screen


async def test_history_from_the_session_list(app_factory, store):
    save_sessions(store)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history_from_the_list(app, pilot)
        assert text_of(screen, "#history-title") == f"History — {ALLIANCE}"
        assert text_of(screen, "#history-subtitle") == (
            "4 sessions, 2024-09-10 to 2026-03-10 · 2026-03-10 compared with 2025-09-16"
        )
        timeline = screen.query_one("#timeline", DataTable)
        rows = row_texts(timeline)
        assert [r.split(" | ")[0] for r in rows] == ["2024-09-10", "2025-03-12", "2025-09-16", "2026-03-10"]
        assert rows[3].split(" | ")[2:4] == ["58", "▼−1"]
        assert timeline.cursor_row == 3 and app.focused is timeline
        assert "35 → 49 → 59 → 58" in text_of(screen, "#joint-values")
        cadence = screen.query_one("#cadence", Static)
        assert cadence.has_class("-not-met")
        assert str(cadence.render()).startswith(
            "✗ Point 6 not met: sponsors met in person once in the 12 months to 2026-03-10"
        )

        # Trends: one row per point, the change since last time with an arrow, persistent gaps flagged.
        trends = row_texts(screen.query_one("#trends", DataTable))
        assert len(trends) == 10
        sponsors = trends[5].split(" | ")
        assert sponsors[1] == "Sponsors meet face to face"
        assert sponsors[2] == "▄▆▆▃ 1 ▼−2" and sponsors[3] == "▄▆▆▄ 2 ▼−1"
        assert trends[2].split(" | ")[-1] == "persistent ×4"
        assert trends[7].split(" | ")[-1] == "gap"  # trust: a gap now, but not two sessions running
        assert "Aldgate Clinics 2 → 3 → 3 → 4" in text_of(screen, "#point-detail")

        await pilot.press("l")
        assert screen.query_one("#history-tabs", TabbedContent).active == "tab-since"
        since = text_of(screen, "#since")
        assert "6. Sponsors meet face to face: Aldgate Clinics 3 → 1 (−2)" in since
        assert "3. Mutual-benefit measurement: a perception gap in 4 sessions running" in since
        assert "Agreement: 5 of 12 sections changed" in since

        await pilot.press("a")
        assert screen.query_one("#history-tabs", TabbedContent).active == "tab-changes"
        sections = screen.query_one("#sections", OptionList)
        assert sections.option_count == 12 and sections.highlighted == 0  # the first changed section
        diff = text_of(screen, "#diff")
        assert "1. Purpose and strategic framework — changed since 2025-09-16" in diff
        assert "~ Objective: results within [-48-]{+24+} hours for 90% of tests." in diff
        sections.highlighted = 6  # governance
        await pilot.pause()
        diff = text_of(screen, "#diff")
        assert "− Sponsor meeting: 2025-12-05, in person: Planned mid-year check" in diff
        assert "+ Sponsor meeting: 2026-06-15, in person: Planned at Aldgate" in diff

        await pilot.press("m")
        meetings = text_of(screen, "#meetings")
        assert "Missed: 2025-12-05: planned in person (recorded 2025-09-16), not recorded as held" in meetings
        assert "Sessions with no sponsor meeting recorded on their day: 2026-03-10" in meetings

        # Choosing an earlier session makes every comparison seen from it.
        timeline.focus()
        await pilot.press("up", "up")
        await pilot.pause()
        assert text_of(screen, "#history-subtitle").endswith("2025-03-12 compared with 2024-09-10")
        assert screen.query_one("#cadence", Static).has_class("-met")
        assert "Missed" not in text_of(screen, "#meetings")
        await pilot.press("up")
        await pilot.pause()
        assert text_of(screen, "#history-subtitle").endswith("2024-09-10: the first session, nothing to compare with")
        assert "no earlier agreement to compare with" in text_of(screen, "#diff")

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, SessionListScreen)


async def test_a_damaged_predecessor_shows_as_a_gap(app_factory, store, data_dir):
    save_sessions(store)
    damage(store, IDS[1])
    seed_damaged(data_dir)  # an unrelated damaged file changes nothing
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_history_from_the_list(app, pilot)
        rows = row_texts(screen.query_one("#timeline", DataTable))
        assert len(rows) == 4 and rows[1].startswith("⚠ gap | damaged") and rows[1].endswith(IDS[1])
        gaps = screen.query_one("#history-gaps", Static)
        assert gaps.display and f"Session {IDS[1]} (followed by {IDS[2]}) cannot be read" in str(gaps.render())
        assert text_of(screen, "#history-subtitle").startswith("3 sessions")
        # The gap row cannot be chosen as a session to compare; its neighbours can.
        screen.query_one("#timeline", DataTable).move_cursor(row=1)
        await pilot.pause()
        assert screen.history.session.id == IDS[3]
        screen.query_one("#timeline", DataTable).move_cursor(row=2)
        await pilot.pause()
        assert text_of(screen, "#history-subtitle").endswith("2025-09-16 compared with 2024-09-10")
        await pilot.press("l")
        assert f"Session {IDS[1]} (followed by {IDS[2]}) cannot be read" in text_of(screen, "#since")


async def test_history_is_not_offered_for_a_damaged_file(app_factory, store, data_dir):
    save_sessions(store)
    seed_damaged(data_dir, name="zz-broken")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        damaged = next(i for i, s in enumerate(screen.shown) if not s.ok)
        screen.table.move_cursor(row=damaged)
        await pilot.pause()
        assert screen.check_action("history", ()) is None
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, SessionListScreen)


async def test_history_of_an_unknown_target_explains(app_factory, store):
    save_sessions(store)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(HistoryScreen("nowhere"))
        await settle(app, pilot)
        screen = app.screen
        assert "No history to show: No session or alliance 'nowhere'" in text_of(screen, "#history-status")
        assert screen.check_action("show_tab", ("trends",)) is None
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionListScreen)


async def test_history_from_the_meeting_palette_sees_unsaved_edits(app_factory, store):
    save_sessions(store)
    app = app_factory(open_session=IDS[3])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        meeting = app.screen
        assert isinstance(meeting, MeetingScreen)
        assert "Alliance history" in [c.title for c in meeting.palette_commands()]
        meeting.session.set_score("sponsors-meet", "aldgate-clinics", 4)  # typed a moment ago, not saved yet
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"alliance history")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot, rounds=3)
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        sponsors = row_texts(screen.query_one("#trends", DataTable))[5].split(" | ")
        assert sponsors[2] == "▄▆▆█ 4 ▲+1"
        # The screen has its own copy: the meeting's session is not shared with the worker.
        assert screen.history.session is not meeting.session
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is meeting


async def test_help_names_the_history_keys(app_factory, store):
    from facilitator.tui.screens.help import HelpScreen

    save_sessions(store)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_history_from_the_list(app, pilot)
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        source = app.screen.query_one("Markdown").source
        assert "alliance history" in source and "Agreement" in source and "Last time" in source
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert app.screen.query_one("#trends", DataTable).row_count == 10


async def test_a_session_whose_predecessor_is_damaged_still_opens(app_factory, store):
    save_sessions(store)
    damage(store, IDS[2])
    app = app_factory(open_session=IDS[3])
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        meeting = app.screen
        assert isinstance(meeting, MeetingScreen) and meeting.session.id == IDS[3]
        assert meeting.context.previous is None and "cannot be opened" in meeting.context.previous_problem
        meeting.action_history()
        await settle(app, pilot, rounds=3)
        assert isinstance(app.screen, HistoryScreen)
        assert f"Session {IDS[2]} (followed by {IDS[3]}) cannot be read" in text_of(app.screen, "#history-gaps")
        assert text_of(app.screen, "#history-subtitle").endswith("2026-03-10 compared with 2025-03-12")


async def test_the_tables_fit_the_terminal_after_it_is_made_smaller(app_factory, store):
    """A projector plugged in mid-meeting makes the terminal smaller: the tables are refilled for
    the new width, with no blank scrollbar row left under the timeline and the point titles as wide
    as the room allows (they were measured on the table, 0 wide until first laid out)."""
    save_sessions(store)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_history_from_the_list(app, pilot)
        timeline = screen.query_one("#timeline", DataTable)
        trends = screen.query_one("#trends", DataTable)
        assert timeline.size.height == 1 + timeline.row_count  # the header and a line a session
        wide_title = trends.columns[trends.ordered_columns[1].key].width
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot, rounds=3)
        assert not timeline.show_horizontal_scrollbar
        assert timeline.size.height == 1 + timeline.row_count
        assert timeline.virtual_size.width <= timeline.size.width
        narrow_title = trends.columns[trends.ordered_columns[1].key].width
        assert narrow_title == wide_title - 20  # the whole 20 columns the terminal lost
        assert trends.virtual_size.width <= trends.scrollable_content_region.width
