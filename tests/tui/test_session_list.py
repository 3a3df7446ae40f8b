"""The session list, driven with keys: what it shows, filtering, deleting, opening, follow-up reviews."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input, Static
from tui_support import SIZE, seed_newer, seed_session, settle

from facilitator.storage.store import SessionStore
from facilitator.tui.dialogs.confirm import ConfirmScreen
from facilitator.tui.dialogs.follow_up import FollowUpScreen
from facilitator.tui.screens.session_list import EMPTY_HINT, SessionListScreen, display_path


def cell_texts(screen: SessionListScreen) -> list[str]:
    table = screen.table
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def detail(screen: SessionListScreen) -> str:
    return str(screen.query_one("#detail", Static).render())


async def test_lists_sessions_and_a_damaged_file_that_explains_itself(app_factory, seeded, store, data_dir):
    newer_id = seed_newer(store, data_dir)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SessionListScreen)
        assert str(data_dir.resolve()) in str(screen.query_one("#folder", Static).render())
        rows = cell_texts(screen)
        assert len(rows) == 5
        assert any(r.startswith("Coastal Corri") and "kickoff" in r and "2026-03-02" in r for r in rows)
        assert any("Harbour Link" in r and "Acme Ports, Beta Shipping" in r for r in rows)
        damaged = next(i for i, r in enumerate(rows) if "damaged" in r)
        newer = next(i for i, r in enumerate(rows) if "newer version" in r)
        assert "broken-notes.json" in rows[damaged]

        # Selecting the damaged row shows why it cannot be opened, right under the table.
        screen.table.move_cursor(row=damaged)
        await pilot.pause()
        text = detail(screen)
        assert "broken-notes.json is damaged" in text and "not valid JSON" in text and "untouched" in text
        # Opening it explains instead of failing, and nothing else happens.
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionListScreen)
        assert any("broken-notes.json" in n.message for n in app._notifications)
        # The follow-up and export keys do not apply to it (shown disabled), delete does.
        assert screen.check_action("follow_up", ()) is None
        assert screen.check_action("export", ()) is None
        assert screen.check_action("delete", ()) is True

        screen.table.move_cursor(row=newer)
        await pilot.pause()
        assert "newer facilitator" in detail(screen) and newer_id in detail(screen)
    assert (data_dir / "broken-notes.json").exists(), "a damaged file is left untouched"


async def test_empty_folder_shows_a_friendly_hint(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        hint = app.screen.query_one("#hint", Static)
        # The hint names the folder in full: a facilitator started from another folder sees where the
        # app looked, not a bare "No sessions yet".
        assert hint.display and str(hint.render()) == EMPTY_HINT.format(folder=display_path(app.store.data_dir))
        assert not app.screen.table.display


async def test_empty_folder_points_to_sessions_an_earlier_version_saved_in_the_working_folder(
    app_factory, tmp_path, monkeypatch, sample_session
):
    # Earlier versions saved to ./sessions by default: started from that folder, the room's
    # sessions must not just look gone.
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    with SessionStore(checkout / "sessions").create(sample_session):
        pass
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        hint = str(app.screen.query_one("#hint", Static).render())
        assert "No sessions yet" in hint and "earlier version" in hint
        assert f"--data-dir {checkout / 'sessions'}" in hint


async def test_filter_takes_key_value_parts_as_the_cli_options(app_factory, seeded):
    """`since:`, `until:`, `kind:`, `status:`, `partner:` ... are `facilitator list`'s options; a
    part that cannot be used yet (a date half typed) is named under the field and left out."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("slash", *"until:2025-12-31")
        await pilot.pause()
        assert sorted(s.id for s in screen.shown) == sorted([seeded["harbour"], seeded["alpine"]])
        assert screen.filter_input.border_subtitle == ""
        await pilot.press(*" partner:gamma")
        await pilot.pause()
        assert [s.id for s in screen.shown] == [seeded["alpine"]]
        screen.filter_input.value = "since:2025-1"  # still being typed
        await pilot.pause()
        assert "is not a date" in str(screen.filter_input.border_subtitle)
        assert len(screen.shown) == 4  # nothing left out for a part that cannot be used
        # Typed in full, and no session can pass it: none is shown, as `list` refuses it.
        screen.filter_input.value = "since:2026-05-01 until:2026-04-01"
        await pilot.pause()
        assert "is after until" in str(screen.filter_input.border_subtitle)
        assert screen.shown == []
        assert "No session matches" in str(screen.query_one("#hint", Static).render())
        screen.filter_input.value = "since:2025-02-30"
        await pilot.pause()
        assert "does not exist" in str(screen.filter_input.border_subtitle)
        assert screen.shown == []
        screen.filter_input.value = "status:damaged"
        await pilot.pause()
        assert [s.status for s in screen.shown] == ["damaged"]
        await pilot.press("escape")
        await pilot.pause()
        assert screen.filter_input.border_subtitle == ""


async def test_filter_as_you_type_and_escape_clears(app_factory, seeded):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert app.focused is screen.table
        await pilot.press("slash")
        assert app.focused is screen.query_one("#filter", Input)
        await pilot.press(*"link")
        await pilot.pause()
        assert [s.id for s in screen.shown] == [seeded["harbour"]]
        # Partners, dates and ids match too; every word must match.
        screen.filter_input.value = "gamma 2025-06"
        await pilot.pause()
        assert [s.id for s in screen.shown] == [seeded["alpine"]]
        screen.filter_input.value = "nothing like this"
        await pilot.pause()
        hint = str(screen.query_one("#hint", Static).render())
        assert "No session matches" in hint
        await pilot.press("escape")
        await pilot.pause()
        assert screen.filter_input.value == ""
        assert len(screen.shown) == 4
        assert app.focused is screen.table


async def test_delete_asks_first_and_moves_the_file_to_the_trash(app_factory, seeded, store, data_dir):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        screen.table.move_cursor(row=screen.row_of(seeded["harbour"]))
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        text = str(app.screen.query_one("#text", Static).render())
        assert "trash" in text and "Nothing is erased" in text
        await pilot.press("n")  # changed my mind
        await settle(app, pilot)
        assert seeded["harbour"] in store.ids()

        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, SessionListScreen)
        assert seeded["harbour"] not in store.ids()
        assert (data_dir / "trash" / f"{seeded['harbour']}.json").exists()
        assert seeded["harbour"] not in [s.id for s in screen.shown]


async def test_enter_opens_the_meeting_and_the_list_refreshes_on_return(app_factory, seeded, store, stub_meeting):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        screen.table.move_cursor(row=screen.row_of(seeded["alpine"]))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, stub_meeting) and app.screen.opened.id == seeded["alpine"]
        # While the meeting is open, another session appears in the folder.
        new_id = seed_session(store, "Zeta Pact", ["Zed", "Zoe"], "2024-01-01")
        app.pop_screen()
        await settle(app, pilot)
        assert app.screen is screen
        assert new_id in [s.id for s in screen.shown]
        assert screen.selected_id() == seeded["alpine"], "the cursor stays on the session that was open"


async def test_follow_up_review_creates_a_review_and_opens_it(app_factory, seeded, store, stub_meeting):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        screen.table.move_cursor(row=screen.row_of(seeded["demo"]))
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, FollowUpScreen)
        date_input = dialog.query_one("#date", Input)
        assert app.focused is date_input
        assert date_input.value == max(date.today(), date(2026, 3, 3)).isoformat(), "prefilled: today"
        # A date that is not later than the session followed is refused, in the dialog.
        for typed, message in (
            ("2026-03-02", "must be later than the session it follows (2026-03-02)"),
            ("2026-02-30", "does not exist in the calendar"),
        ):
            date_input.value = ""
            await pilot.press(*typed, "enter")
            await pilot.pause()
            assert app.screen is dialog and message in str(dialog.query_one("#date-error").render())
        date_input.value = ""
        await pilot.press(*"2026-09-15", "enter")
        await settle(app, pilot, rounds=3)
        assert isinstance(app.screen, stub_meeting)
        reviews = [s for s in store.summaries() if s.follows == seeded["demo"]]
        assert len(reviews) == 1 and reviews[0].kind == "review" and reviews[0].date == "2026-09-15"
        assert app.screen.opened.id == reviews[0].id
        assert store.holder(reviews[0].id) is not None, "the meeting holds the new session's lock"
    review = store.load(reviews[0].id)
    assert [p.name for p in review.partners] == ["Northwind Logistics", "Harbourline Freight", "Meridian Data Systems"]
    assert review.points == {} or all(not r.scores for r in review.points.values())
    assert store.holder(reviews[0].id) is None


async def test_palette_commands_and_footer_keys(app_factory, seeded):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.screen.palette_commands()]
        assert titles == ["New session", "Follow-up review", "Export", "Alliance history", "Delete", "Refresh"]
        assert all(b.description for b in SessionListScreen.BINDINGS)
        await pilot.press("r")
        await settle(app, pilot)
        assert len(app.screen.shown) == 4


async def test_a_long_list_can_be_browsed_to_its_oldest_session(app_factory, store, stub_meeting):
    from datetime import date, timedelta

    first = date(2020, 1, 1)
    ids = [
        seed_session(store, f"Alliance {n:03}", ["Acme", "Beta"], (first + timedelta(days=n)).isoformat())
        for n in range(150)
    ]  # more than the index's head and than a screen holds
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        table = screen.table
        assert table.row_count == 150 and app.focused is table
        assert screen.selected_id() == ids[-1], "newest first"
        await pilot.press("pagedown")
        page = table.cursor_row
        assert 10 < page < 30, "a page is about what the screen holds"
        assert table.scroll_y > 0, "the cursor's row was scrolled into view"
        await pilot.press("end")
        assert screen.selected_id() == ids[0]
        assert "Alliance 000" in detail(screen)
        await pilot.press("home", "down")
        assert screen.selected_id() == ids[-2] and table.scroll_y == 0
        await pilot.press("end", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, stub_meeting) and app.screen.opened.id == ids[0]


async def test_a_click_moves_the_cursor_and_a_second_click_opens(app_factory, seeded, stub_meeting):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        table = screen.table
        assert table.cursor_row == 0
        await pilot.click(table, offset=(5, 3))  # the header, then rows 0, 1, 2
        assert table.cursor_row == 2 and isinstance(app.screen, SessionListScreen)
        chosen = screen.selected_id()
        assert screen.selected().alliance in detail(screen)
        await pilot.click(table, offset=(5, 0))  # the header: nothing
        assert table.cursor_row == 2
        await pilot.click(table, offset=(5, 3))
        await settle(app, pilot)
        assert isinstance(app.screen, stub_meeting) and app.screen.opened.id == chosen


async def test_names_with_brackets_list_and_reach_the_palette_safely(app_factory, store):
    from textual.content import Content

    odd = seed_session(store, "[/] Odd [b]Alliance", ["[i]Acme", "Beta[/]"], "2026-01-01")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert screen.selected_id() == odd
        assert "[/] Odd [b]Alliance" in detail(screen)
        for command in screen.palette_commands():
            Content.from_markup(command.title)
            Content.from_markup(command.help)  # raises MarkupError if a name was not escaped


def test_a_cell_is_one_line_fitted_to_its_column():
    from facilitator.tui.widgets.session_table import Cell

    assert Cell("broken\nname\tfile.json", 40).text == "broken name file.json"
    assert Cell("Northwind Logistics", 8).text == "Northwi…"
    assert Cell("\x1b[31mred", 10).text == " [31mred"  # no escape sequence reaches the terminal


async def test_at_80_columns_the_alliance_comes_before_the_partners(app_factory, seeded):
    """On a projector at 80 columns the room looks for its alliance: its name gets 18 cells (it had
    14: "Coastal Corri…"), the partners, whose list is shown whole under the table, what is left."""
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        rows = cell_texts(app.screen)
        assert rows[0].startswith("Coastal Corridor … | kickoff"), rows  # 17 letters and the ellipsis
