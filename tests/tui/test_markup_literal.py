"""Text in the places that take markup only (the command palette's titles and help), and messages
that quote what was typed: unclosed tags ("Acme [/x"), capitals in brackets ("[EU]", "[TBD]") and
backslashes, which Textual's own `markup.escape` lets through (found by a red-team review)."""

from __future__ import annotations

import itertools

from textual.command import CommandList, CommandPalette
from textual.content import Content
from textual.widgets import Input, Static

from facilitator.tui.panes.actions import ActionsPane
from facilitator.tui.widgets.literal import markup_literal

from .pane_harness import PaneHarness, screen_text
from .tui_support import SIZE, seed_session, settle

PIECES = [
    "Acme ",
    "[/x",
    "[a='",
    "[EU]",
    "[TBD]",
    "[_x]",
    "[$x]",
    "[ b]",
    "\\[b]",
    "\\",
    "[/]",
    "[b]",
    "[@click=app.quit]",
    "]",
    "[[",
    "x\\",
    "[#f00]",
]


def test_every_combination_shows_exactly_as_typed():
    for size in (1, 2, 3):
        for parts in itertools.product(PIECES, repeat=size):
            text = "".join(parts)
            assert Content.from_markup(markup_literal(text)).plain == text, text


async def test_session_names_with_broken_tags_reach_the_palette(app_factory, store):
    seed_session(store, "Acme [/x", ["Northwind [EU]", "Beta [a='"], "2026-01-01")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"open")
        await settle(app, pilot)
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, CommandPalette)
        prompts = [str(option.prompt) for option in app.screen.query_one(CommandList).options]
        shown = " ".join(prompts)
        assert "Open session: Acme [/x (2026-01-01)" in shown, prompts
        assert "Northwind [EU], Beta [a='" in shown, prompts


async def test_a_next_meeting_typed_as_markup_is_quoted_as_typed():
    app = PaneHarness(ActionsPane)
    async with app.run_test(size=SIZE) as pilot:
        pane = app.screen_stack[0].query_one("#pane")
        await pilot.press("m")
        await pilot.pause()
        field = pane.query_one("#next-meeting", Input)
        field.value = "[/x] [TBD]"
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running
        message = str(pane.query_one("#next-meeting-error", Static).content)
        assert "'[/x] [TBD]' is not a date" in message, message
        assert "[/x] [TBD]" in screen_text(app)
