"""What a step is for stays on screen at 80x24 and at the projector's 100x30: the alliance's name in
the top bar, every column of the gap board, room to type in the agreement, History's figures whole."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from tui_support import seed_demo, settle

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import A, B, build_sessions, save_sessions  # noqa: E402
from textual.widgets import DataTable, OptionList, TextArea  # noqa: E402
from textual.widgets._toast import Toast  # noqa: E402

from facilitator.domain.demo import build_demo_session  # noqa: E402
from facilitator.domain.session_factory import create_session  # noqa: E402
from facilitator.remote.room import open_round_for  # noqa: E402
from facilitator.storage.layout import ballots_dir
from facilitator.tui.app import make_app  # noqa: E402
from facilitator.tui.dialogs.remote_panel import RemoteBadge  # noqa: E402
from facilitator.tui.panes.gap_board import GapBoardPane  # noqa: E402
from facilitator.tui.screens.history import HistoryScreen  # noqa: E402
from facilitator.tui.widgets.meeting_clock import MeetingClock  # noqa: E402
from facilitator.tui.widgets.save_indicator import SaveIndicator  # noqa: E402

SIZES = [(80, 24), (100, 30)]
ALLIANCE = "Coastal Corridor Alliance"  # the demo's


def inside(screen, widget) -> bool:
    return widget.display and screen.region.contains_region(widget.region)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_palette_key_ends_the_footer_with_nothing_showing_through(store, size):
    """The meeting's footer is compact: its keys are clipped under the palette's key at 80 columns.
    That key reaches the screen's edge; one cell short, the last cell showed a clipped key's letter
    ("^p palette1")."""
    from textual.widgets import Footer

    app = make_app(store=store, open_session=seed_demo(store))
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        footer = app.screen.query_one(Footer)
        palette_key = footer.query_one(".-command-palette")
        assert palette_key.region.right == footer.region.right == size[0]
        last_cell, _ = app.screen.get_widget_at(size[0] - 1, size[1] - 1)
        assert last_cell is palette_key


@pytest.mark.parametrize("remote", [False, True], ids=["alone", "remote round open"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_top_bar_keeps_the_alliance_name_whole(store, size, remote):
    session_id = seed_demo(store)
    if remote:
        open_round_for(ballots_dir(store.data_dir, session_id), store.load(session_id))
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        if remote:  # the screen looks for a round every second
            badge = screen.query_one(RemoteBadge)
            for _ in range(40):
                if badge.has_class("-shown"):
                    break
                await pilot.pause(0.1)
            assert badge.has_class("-shown")
            await pilot.pause()
        title = screen.query_one("#meeting-title")
        assert str(title.render()) == ALLIANCE
        assert title.content_region.width >= cell_len(ALLIANCE), title.content_region
        for part in (SaveIndicator, MeetingClock) + ((RemoteBadge,) if remote else ()):
            assert inside(screen, screen.query_one(part)), part


async def open_step(app, pilot, step: str):
    await settle(app, pilot)
    app.screen.show_step(step)
    await settle(app, pilot)
    return app.screen


def table_fits(table) -> bool:
    """Every column of the table is within its width: nothing hidden to the right."""
    return (
        sum(column.get_render_width(table) for column in table.columns.values())
        <= table.scrollable_content_region.width
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_gap_board_keeps_mean_spread_and_flag_on_screen(store, size):
    demo = build_demo_session(date(2026, 3, 2))
    demo.point("agreement-beyond-contract").agreed = None  # no Agreed column here: see the test below
    with store.create(demo) as opened:
        session_id = opened.id
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=size) as pilot:
        screen = await open_step(app, pilot, "gaps")
        pane = screen.query_one(GapBoardPane)
        table = pane.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()][-3:] == ["Mean", "Spread", "Flag"]
        assert table_fits(table), [(str(c.label), c.get_render_width(table)) for c in table.columns.values()]
        assert screen.region.contains_region(table.region)
        partner_labels = [str(c.label) for c in table.columns.values()][2:-3]
        legend = str(pane.query_one("#gap-indexes").render())
        if size[0] == 80:  # the partners by their initials; the indexes above say whose they are
            assert partner_labels == ["NL", "HF", "MDS"]
            assert "NL Northwind Logistics" in legend and "MDS Meridian Data Systems" in legend
        else:
            assert partner_labels[0].startswith("Northwind")
        # Resized, the board plans its columns again.
        await pilot.resize_terminal(180 - size[0], 54 - size[1])
        await settle(app, pilot)
        assert table_fits(table)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_gap_board_keeps_the_agreed_column_on_screen_too(store, size):
    session_id = seed_demo(store)  # the room agreed a score for point 5
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=size) as pilot:
        screen = await open_step(app, pilot, "gaps")
        table = screen.query_one(GapBoardPane).query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()][-4:] == ["Mean", "Spread", "Flag", "Agreed"]
        assert table_fits(table), [(str(c.label), c.get_render_width(table)) for c in table.columns.values()]
        assert str(table.get_cell("agreement-beyond-contract", "agreed")) == "2"


async def test_gap_board_with_many_partners_scrolls_sideways_and_says_so(store):
    partners = [
        "Acme Ports",
        "Beta Shipping",
        "Gamma Rail",
        "Delta Freight",
        "Epsilon Data",
        "Zeta Council",
        "Eta Logistics",
        "Theta Energy",
    ]
    with store.create(create_session("Eight Way", partners, date="2026-03-02")) as opened:
        session_id = opened.id
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(app, pilot, "gaps")
        pane = screen.query_one(GapBoardPane)
        table = pane.query_one(DataTable)
        assert not table_fits(table) and table.fixed_columns == 2  # the point stays in view
        assert "More columns to the right" in str(pane.query_one("#gap-help").render())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_history_trends_show_every_figure_whole(app_factory, store, size):
    """History's Joint column was cut to '+0' and '▲+' even at 100 columns."""
    sessions = build_sessions()
    sessions[-1].point("needs-shared").scores = {A: 4, B: 3}  # jointly 2.5 -> 3.5: "3.5 ▲+1"
    save_sessions(store, sessions)
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot, rounds=3)
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        table = screen.query_one("#trends", DataTable)
        columns = list(table.columns.values())
        assert [str(c.label) for c in columns][-2:] == ["Joint", "Flag"]
        for row in range(table.row_count):
            cells = table.get_row_at(row)
            for column, cell in list(zip(columns, cells))[2:]:  # the charts, scores, changes and flags
                shown = column.get_render_width(table) - 2 * table.cell_padding
                assert cell_len(str(cell)) <= shown, (str(column.label), str(cell), shown)
        assert table_fits(table)
        joint = [str(table.get_row_at(r)[-2]) for r in range(table.row_count)]
        assert any(j.endswith("3.5 ▲+1") for j in joint), joint


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_agreement_editor_gets_the_room_to_type(store, size):
    """At 80x24 the editor was 4 lines tall under the prompts, beside a wide section list."""
    session_id = seed_demo(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=size) as pilot:
        screen = await open_step(app, pilot, "agreement")
        editor = screen.query_one("#section-text", TextArea)
        assert screen.region.contains_region(editor.region)
        assert editor.content_region.height >= 10, editor.content_region
        assert editor.content_region.width >= 38, editor.content_region
        # Resized both ways, the section titles are fitted again, never wrapped a second time.
        await pilot.resize_terminal(180 - size[0], 54 - size[1])
        await settle(app, pilot, rounds=3)
        section_list = screen.query_one("#section-list", OptionList)
        room = section_list.scrollable_content_region.width
        for index in range(section_list.option_count):
            lines = str(section_list.get_option_at_index(index).prompt).split("\n")
            assert all(cell_len(line) <= room for line in lines), (lines, room)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_toasts_keep_off_what_the_room_reads(store, size):
    """Toasts of three lines stood over the step and over Help: now one line on the footer's row,
    growing upwards only for a long message, gone after a few seconds."""
    session_id = seed_demo(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=size, notifications=True) as pilot:
        screen = await open_step(app, pilot, "gaps")
        app.notify("Saved.")
        await pilot.pause(0.2)
        toast = screen.query_one(Toast)
        width, height = size
        assert toast.region.height == 1 and toast.region.bottom == height  # the footer's line
        assert toast.region.right == width  # to the edge: no footer key's letter showing beyond it
        assert toast.region.width <= width * 0.45
        assert not toast.region.overlaps(screen.query_one(GapBoardPane).query_one(DataTable).region)

        await pilot.press("f1")
        await settle(app, pilot)
        app.notify("Saved.")
        await pilot.pause(0.2)
        help_screen = app.screen
        toasts = list(help_screen.query(Toast))  # the first may still be there, stacked above the second
        assert toasts and all(t.region.height == 1 for t in toasts)
        assert max(t.region.bottom for t in toasts) == height
        await pilot.pause(3.2)
        assert not list(help_screen.query(Toast)), "a toast without a timeout of its own goes within 3 s"
