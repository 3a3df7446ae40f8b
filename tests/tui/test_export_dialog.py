"""The export dialog tells the truth (issue 12, item 12): "changes since the session before" is
offered only when there is one, and the toast after closing names each document with its own file."""

from __future__ import annotations

from textual.widgets import Checkbox, Input
from tui_support import SIZE, seed_demo, settle

from facilitator.domain.session_factory import follow_up_session
from facilitator.tui.dialogs.export import ExportScreen
from facilitator.tui.screens.session_list import SessionListScreen


async def open_export(app, pilot, session, document: str = "agreement") -> ExportScreen:
    await settle(app, pilot)
    app.push_screen(ExportScreen(session, app.templates, document=document, store=app.store))
    await settle(app, pilot, rounds=3)
    assert isinstance(app.screen, ExportScreen)
    return app.screen


async def test_a_kickoff_is_not_offered_changes_since_a_session_before(app_factory, store):
    kickoff_id = seed_demo(store)
    kickoff = store.load(kickoff_id)
    review = follow_up_session(kickoff, date="2026-09-01")
    with store.create(review) as opened:
        review_id = opened.id
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(app, pilot, kickoff)
        box = dialog.query_one("#changes-since", Checkbox)
        assert box.disabled and "none: the first session" in str(box.label)
        await pilot.click("#changes-since")
        assert dialog.changes_since is False  # a disabled box cannot be ticked
        await pilot.press("escape")

        dialog = await open_export(app, pilot, store.load(review_id))
        box = dialog.query_one("#changes-since", Checkbox)
        assert not box.disabled and "none" not in str(box.label)
        box.focus()
        await pilot.press("space")
        await settle(app, pilot)
        assert dialog.changes_since is True


async def test_the_toast_names_each_document_with_its_own_file(app_factory, store, tmp_path):
    session = store.load(seed_demo(store))
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        # The agreement first, then the scorecard from a second dialog (as from Close: a, then s).
        dialog = await open_export(app, pilot, session, "agreement")
        dialog.query_one("#path", Input).value = str(tmp_path / "agreement.md")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        dialog = await open_export(app, pilot, session, "scorecard")
        dialog.query_one("#path", Input).value = str(tmp_path / "scorecard.md")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SessionListScreen)
        last = list(app._notifications)[-1]
        assert last.title == "Scorecard written"
        assert last.message == f"Scorecard: {tmp_path / 'scorecard.md'}"

        # Both from one dialog: both named.
        dialog = await open_export(app, pilot, session, "agreement")
        dialog.query_one("#path", Input).value = str(tmp_path / "a2.md")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        dialog.query_one("#scorecard").value = True
        await settle(app, pilot)
        dialog.query_one("#path", Input).value = str(tmp_path / "s2.md")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        last = list(app._notifications)[-1]
        assert last.title == "Agreement and scorecard written"
        assert last.message.splitlines() == [f"Agreement: {tmp_path / 'a2.md'}", f"Scorecard: {tmp_path / 's2.md'}"]
    assert (
        (tmp_path / "scorecard.md")
        .read_text(encoding="utf-8")
        .startswith("# Coastal Corridor Alliance: Partnership health")
    )


async def _wait_for_status(app, pilot, dialog, rounds: int = 100) -> str:
    from textual.widgets import Static

    for _ in range(rounds):
        await pilot.pause(0.1)
        text = str(dialog.query_one("#status", Static).render())
        if not dialog.writing and text and "Writing" not in text:
            return text
    raise AssertionError("the write did not finish")


async def test_the_scorecard_as_word_from_the_keyboard(app_factory, store, tmp_path, monkeypatch):
    """Format chosen with the keys, the file name follows it, and the Word file holds the charts."""
    import io

    import docx

    monkeypatch.chdir(tmp_path)
    session = store.load(seed_demo(store))
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(app, pilot, session, "scorecard")
        path = dialog.query_one("#path", Input)
        assert path.value.endswith(f"{session.id}-scorecard.md")
        dialog.query_one("#format").focus()
        await pilot.press("right", "right", "right", "enter")  # Markdown, HTML, PDF, Word
        await settle(app, pilot)
        assert dialog.format == "docx" and path.value.endswith(f"{session.id}-scorecard.docx")
        await pilot.press("ctrl+s")
        status = await _wait_for_status(app, pilot, dialog)
        assert "Wrote the scorecard" in status, status
        word = docx.Document(io.BytesIO((tmp_path / f"{session.id}-scorecard.docx").read_bytes()))
        assert word.inline_shapes and len(word.inline_shapes) >= 2  # the radar and the heatmap, as pictures
        assert any("Summary" == p.text for p in word.paragraphs)


async def test_a_missing_documents_extra_is_said_in_the_dialog(app_factory, store, tmp_path, monkeypatch):
    import sys

    from facilitator.reports.formats import pandoc

    monkeypatch.setitem(sys.modules, "pypandoc", None)  # its import fails, as when not installed
    pandoc.pandoc_path.cache_clear()
    session = store.load(seed_demo(store))
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(app, pilot, session, "agreement")
        dialog.query_one("#path", Input).value = str(tmp_path / "agreement.docx")
        dialog.query_one("#format-docx").value = True
        await settle(app, pilot)
        assert dialog.format == "docx"
        await pilot.press("ctrl+s")
        status = await _wait_for_status(app, pilot, dialog)
        assert "pip install 'facilitator[documents]'" in status, status
        assert not (tmp_path / "agreement.docx").exists()
    pandoc.pandoc_path.cache_clear()  # found again by the next test


async def test_the_sponsor_pack_from_the_dialog_writes_both_documents_in_every_format(
    app_factory, store, tmp_path, monkeypatch
):
    """Pack chosen with the keys: the path becomes a folder, eight files are written into it, each
    readable by its own reader; writing it again asks before replacing them."""
    import io

    import docx
    import pypdf
    from markdown_it import MarkdownIt

    from facilitator.tui.dialogs.confirm import ConfirmScreen

    monkeypatch.chdir(tmp_path)
    session = store.load(seed_demo(store))
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(app, pilot, session, "agreement")
        path = dialog.query_one("#path", Input)
        dialog.query_one("#format").focus()
        await pilot.press("right", "right", "right", "right", "enter")  # ... Word, Sponsor pack
        await settle(app, pilot)
        assert dialog.format == "pack"
        folder = tmp_path / f"{session.id}-sponsor-pack"
        assert path.value == str(folder)
        await pilot.press("ctrl+s")
        status = await _wait_for_status(app, pilot, dialog)
        assert status.startswith(f"Wrote the sponsor pack into {folder}"), status
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
        assert names == sorted(
            f"{session.id}-{document}{suffix}"
            for document in ("agreement", "scorecard")
            for suffix in (".md", ".html", ".pdf", ".docx")
        )
        agreement_md = (folder / f"{session.id}-agreement.md").read_text(encoding="utf-8")
        headings = [t.content for t in MarkdownIt().parse(agreement_md) if t.type == "inline"]
        assert "Signatures" in headings
        pdf = pypdf.PdfReader(io.BytesIO((folder / f"{session.id}-scorecard.pdf").read_bytes()))
        assert len(pdf.pages) >= 2 and "Summary" in "".join(page.extract_text() for page in pdf.pages)
        word = docx.Document(io.BytesIO((folder / f"{session.id}-agreement.docx").read_bytes()))
        assert any(p.text == "Signatures" for p in word.paragraphs)
        assert (folder / "figures").is_dir()  # the scorecard's Markdown links its charts beside it

        before = (folder / f"{session.id}-agreement.pdf").stat().st_mtime_ns
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # keep them
        await pilot.pause()
        assert (folder / f"{session.id}-agreement.pdf").stat().st_mtime_ns == before

        # Back to one file: the default name follows.
        dialog.query_one("#format-md").value = True
        await settle(app, pilot)
        assert path.value == str(tmp_path / f"{session.id}-agreement.md")


async def test_tab_walks_the_choices_in_their_order_and_the_buttons_last(app_factory, store):
    """The dialog opens on the document; Tab goes document, format, folder, preview, and only
    then the buttons (a walk in a real terminal found Tab going to Write and Close first)."""
    session = store.load(seed_demo(store))
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_export(app, pilot, session)
        order = []
        for _ in range(6):
            order.append(app.focused.id)
            await pilot.press("tab")
        assert order == ["document", "format", "path", "preview", "write", "close"]
        await pilot.press("right", "enter", "tab", "right", "right", "enter")  # Scorecard; HTML, PDF
        await settle(app, pilot)
        assert (dialog.document, dialog.format) == ("scorecard", "pdf")
        assert dialog.query_one("#path", Input).value.endswith("-scorecard.pdf")
