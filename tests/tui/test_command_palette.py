"""The command palette stays one, on top: opening screens over it and pressing Ctrl+P again must not
end the app (Textual raises DuplicateIds for a second palette while the first is in the stack)."""

from __future__ import annotations

from textual.command import CommandPalette
from tui_support import SIZE, settle

from facilitator.tui.screens.help import HelpScreen
from facilitator.tui.screens.session_list import SessionListScreen
from facilitator.tui.screens.too_small import TooSmallScreen


def palettes(app) -> int:
    return sum(isinstance(screen, CommandPalette) for screen in app.screen_stack)


async def test_help_over_the_palette_then_ctrl_p_again(app_factory, seeded):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("f1")
        await settle(app, pilot)
        # Help is about the screen the palette was opened over, and the palette is closed.
        assert isinstance(app.screen, HelpScreen)
        assert palettes(app) == 0
        assert any("Open" in description for _keys, description in app.screen.keys)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandPalette) and palettes(app) == 1
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert palettes(app) == 1
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, SessionListScreen)
    assert app.return_code in (None, 0)


async def test_a_screen_pushed_over_the_palette_closes_it(app_factory, seeded):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.resize_terminal(60, 20)  # the too-small notice comes up over the palette
        await settle(app, pilot)
        assert isinstance(app.screen, TooSmallScreen) and palettes(app) == 0
        await pilot.resize_terminal(*SIZE)
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandPalette) and palettes(app) == 1
    assert app.return_code in (None, 0)


async def test_paging_in_the_palette_while_its_list_has_no_room(app_factory, seeded):
    """Page Down / Page Up while the palette's list of commands has no room on screen (between two
    searches; found by random keys): Textual's option list raised KeyError, ending the app."""
    from textual.command import CommandList

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"open")
        await settle(app, pilot)
        commands = app.screen.query_one(CommandList)
        assert commands.option_count and commands.highlighted is not None
        commands.styles.height = 0  # no room, as between two searches
        await settle(app, pilot)
        assert not commands.scrollable_content_region
        await pilot.press("pagedown", "pageup")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, SessionListScreen)
    assert app.return_code in (None, 0)


async def test_closing_the_palette_while_it_is_still_searching(app_factory, seeded):
    """A search that ends after the palette has closed under it (Help pushed over it, or Escape,
    while the search is in flight; found by random keys, seeds 4 and 6): its NoMatches ended the app."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for attempt in range(12):  # a race: most runs without the guard fail within six tries
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"zqzq"[: 1 + attempt % 4], "f1" if attempt % 2 else "escape")  # no pause between
            await pilot.pause(0.05 * attempt)
            if isinstance(app.screen, HelpScreen):
                await pilot.press("escape")
        await settle(app, pilot)
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, SessionListScreen)
    assert app.return_code in (None, 0)


async def test_no_matches_line_after_the_palette_lost_its_list(app_factory, seeded):
    """Half a second after a search finds nothing, the palette adds "No matches found" to its list.
    When the palette is being closed at that moment (its list already gone; seen once in a full
    run), that must not end the app."""
    from textual.command import CommandList

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        palette = app.screen
        await pilot.press(*"zqzq")
        for _ in range(40):
            if palette._no_matches_timer is not None:
                break
            await pilot.pause(0.01)
        assert palette._no_matches_timer is not None, "the search should have found nothing"
        await palette.query_one(CommandList).remove()  # as the palette's close does, first
        await pilot.pause(0.8)  # past the half-second countdown
        await settle(app, pilot)
        assert app.is_running
    assert app.return_code in (None, 0)
