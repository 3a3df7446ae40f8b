"""The export dialog, the help screen, the confirm dialog and the too-small message."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from textual.widgets import Input, Label, Markdown, Static
from tui_support import SIZE, settle

from facilitator.tui.dialogs.confirm import ConfirmScreen
from facilitator.tui.dialogs.export import ExportScreen
from facilitator.tui.screens.help import HelpScreen
from facilitator.tui.screens.session_list import SessionListScreen
from facilitator.tui.screens.too_small import TooSmallScreen


def status_of(screen: ExportScreen) -> str:
    status = screen.query_one("#status", Static)
    return str(status.render()) if status.display else ""


async def open_export(app, pilot, session) -> ExportScreen:
    await settle(app, pilot)
    app.push_screen(ExportScreen(session, app.templates, store=app.store))
    await settle(app, pilot)
    assert isinstance(app.screen, ExportScreen)
    return app.screen


async def test_export_writes_the_agreement_and_shows_the_path(app_factory, store, seeded, tmp_path):
    session = store.load(seeded["demo"])
    target = tmp_path / "out" / "agreement.md"
    target.parent.mkdir()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(app, pilot, session)
        path = dialog.query_one("#path", Input)
        assert path.value == str(Path.cwd() / f"{session.id}-agreement.md")
        preview = dialog.query_one("#preview-text", Markdown)
        assert preview.display and "Coastal Corridor Alliance" in preview.source
        path.value = str(target)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert status_of(dialog) == f"Wrote the agreement to {target} — the file is complete."
        assert dialog.query_one("#status").has_class("-ok")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionListScreen)
    text = target.read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert any("Coastal Corridor Alliance" in h for h in headings)


async def test_export_scorecard_from_the_list_and_replace_asks_first(app_factory, store, seeded, tmp_path):
    target = tmp_path / "scorecard.md"
    target.write_text("old", encoding="utf-8")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        screen.table.move_cursor(row=screen.row_of(seeded["demo"]))
        await pilot.press("e")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.query_one("#scorecard").value = True
        await settle(app, pilot)
        assert dialog.document == "scorecard"
        assert dialog.query_one("#path", Input).value.endswith(f"{seeded['demo']}-scorecard.md")
        dialog.query_one("#path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert "Wrote the scorecard to" in status_of(dialog)
    assert target.read_text(encoding="utf-8") != "old"


async def test_export_problems_are_shown_in_the_dialog(app_factory, store, seeded, tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "agreement.md.j2").write_text("# {{ title.alliance }}\n\n{% for x in %}\n", encoding="utf-8")
    (templates / "scorecard.md.j2").write_text("# Scorecard\n", encoding="utf-8")
    session = store.load(seeded["harbour"])
    app = app_factory(templates=templates)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(app, pilot, session)
        note = str(dialog.query_one("#preview-note", Static).render())
        assert "agreement.md.j2" in note and "line 3" in note

        # A folder that does not exist: said under the path, nothing written.
        dialog.query_one("#path", Input).value = str(tmp_path / "missing" / "a.md")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        error = dialog.query_one("#path-error", Label)
        assert error.display and "does not exist" in str(error.render())

        # The broken template: the write fails with the file and line, in the dialog.
        target = tmp_path / "a.md"
        dialog.query_one("#path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "agreement.md.j2" in status_of(dialog) and "line 3" in status_of(dialog)
        assert dialog.query_one("#status").has_class("-error")
        assert not target.exists()
        assert isinstance(app.screen, ExportScreen)


async def test_help_shows_keys_scale_and_attribution(app_factory, seeded):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("#text", Markdown).source
        assert "**n** — New" in text and "**r** — Refresh" in text and "Delete" in text
        assert "Focus Next" not in text, "generic Textual keys are left out"
        assert "Not in place" in text and "Agreed and reviewed" in text and "Don't know" in text
        assert "perception gap" in text
        assert "Stephen M. Dent" in text and "How Well Are You Managing Your Current Partnerships?" in text
        assert "The CEO Refresher (2003)" in text and "facilitator 0.1.0" in text
        assert "`kind:kickoff`" in text and "`since:2026-01-01`" in text  # how the filter finds sessions
        await pilot.press("f1")  # F1 toggles
        await pilot.pause()
        assert isinstance(app.screen, SessionListScreen)
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionListScreen)


async def test_confirm_dialog_answers(app_factory):
    answers = []
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for key in ("y", "enter", "n", "escape"):
            app.push_screen(ConfirmScreen("Sure?", "Some text", "Do it"), answers.append)
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
    assert answers == [True, True, False, False]


async def test_too_small_terminal_shows_a_calm_message(app_factory, seeded):
    app = app_factory()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, TooSmallScreen)
        text = str(app.screen.query_one("#message", Static).render())
        assert "This window is 60×20" in text and "at least 80×24" in text and "Nothing is lost" in text
        await pilot.resize_terminal(72, 22)
        await settle(app, pilot)
        assert "This window is 72×22" in str(app.screen.query_one("#message", Static).render())
        await pilot.press("f1")  # help would hide the message: not over this screen
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(100, 30)
        await settle(app, pilot)
        assert isinstance(app.screen, SessionListScreen)
        await pilot.resize_terminal(70, 24)
        await settle(app, pilot)
        assert "This window is 70×24" in str(app.screen.query_one("#message", Static).render())


@pytest.mark.parametrize("size", [(79, 23), (50, 12), (40, 10), (30, 8), (20, 5)])
async def test_too_small_message_reads_whole_at_any_size(app_factory, size):
    """At 50x12 the framed message was cut off: it must fit, wrapped, down to 20x5, and say the minimum."""
    app = app_factory()
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, TooSmallScreen)
        message = screen.query_one("#message", Static)
        assert "80×24" in str(message.render())
        # Nothing of the message is outside the window, and its text has the rows it needs.
        assert screen.region.contains_region(message.region), (message.region, screen.region)
        assert message.content_region.height >= message.get_content_height(
            message.content_region.size, message.content_region.size, message.content_region.width
        )
