"""Lead a whole meeting, as a facilitator would, from the session list to an exported agreement.

Create a session with three partners in the form, score all ten points blind for each partner, reveal,
see a perception gap, add an action from a point, draft three sections, agree one with endorsements,
and export the agreement: the exported Markdown (parsed, not string-matched) holds all of it.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from textual.widgets import Input

from facilitator.tui.app import make_app
from facilitator.tui.dialogs.export import ExportScreen
from facilitator.tui.screens.meeting import MeetingScreen
from facilitator.tui.screens.new_session import NewSessionScreen
from facilitator.tui.widgets.score_board import ScoreBoard

SIZE = (100, 30)

# Per point, the scores of Acme, Globex and Initech typed blind; point 3 has a perception gap.
SCORES = ["332", "221", "304", "1?1", "222", "43-", "101", "000", "131", "223"]


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def plain(inline) -> str:
    """What a reader sees of an inline token: its text, escapes resolved."""
    return "".join(
        child.content if child.type in ("text", "code_inline") else "\n"
        for child in inline.children or []
        if child.type in ("text", "code_inline", "softbreak", "hardbreak")
    )


def inline_texts(tokens) -> list[str]:
    return [plain(t) for t in tokens if t.type == "inline"]


def table_rows(tokens) -> list[list[str]]:
    rows, row = [], None
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(plain(token))
        elif token.type == "tr_close":
            rows.append(row)
            row = None
    return rows


async def test_lead_a_meeting_from_form_to_exported_agreement(store, tmp_path):
    app = make_app(store=store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)

        # 1. A new session with three partners, typed into the form.
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, NewSessionScreen)
        await pilot.press(*"Tri-Port Alliance")
        rows = form.rows()
        rows[0].query_one(".name", Input).value = "Acme"
        rows[0].query_one(".sponsors", Input).value = "Ada Lovelace"
        rows[1].query_one(".name", Input).value = "Globex"
        rows[1].query_one(".sponsors", Input).value = "Grace Hopper"
        await form.action_add_partner()
        await pilot.pause()
        form.rows()[2].query_one(".name", Input).value = "Initech"
        form.rows()[2].query_one(".sponsors", Input).value = "Ivan Sutherland"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, MeetingScreen), "creating the session opens the meeting"
        session = app.screen.session
        assert [p.name for p in session.partners] == ["Acme", "Globex", "Initech"]

        # 2. Blind scoring, point by point, then the reveal.
        await pilot.press("f3")
        board = app.screen.query_one(ScoreBoard)
        for number, typed in enumerate(SCORES, start=1):
            await pilot.press(*typed)
            assert "PERCEPTION" not in str(board.render()) and " 3 " not in str(board.render()), (
                "no score shows before the reveal"
            )
            await pilot.press("r")
            if number == 3:
                assert "PERCEPTION GAP" in str(board.render())
                # 3. An action item raised from this point.
                await pilot.press("a")
                await pilot.pause()
                await pilot.press(*"Agree one benefit measure per partner")
                await pilot.press("ctrl+s")
                await pilot.pause()
            await pilot.press("right")
        assert session.points["mutual-benefit"].scores == {"acme": 3, "globex": 0, "initech": 4}
        assert all(session.points[p.key].revealed for p in app.screen.context.checklist.points)
        assert session.actions[-1].point == "mutual-benefit"

        # 4. The agreement: three sections drafted, the first agreed and endorsed by all three.
        await pilot.press("f3", "f3")  # gaps, then the agreement
        await settle(app, pilot)
        drafts = [
            "We run the three ports as one network.",
            "Acme needs volume; Globex needs data.",
            "Each partner names one benefit | measured quarterly.",
        ]
        for index, text in enumerate(drafts):
            if index:
                await pilot.press("alt+down")
            await pilot.press("enter")
            await pilot.press(*text)
            await pilot.press("escape")
            await pilot.pause()
            if index == 0:
                await pilot.press("f7")
                await pilot.pause()
                await pilot.press("space", "down", "space", "down", "space")
                await pilot.press("f6", "escape")  # agreed; back to the section list
                await pilot.pause()
        assert session.sections["purpose"].agreed
        assert session.sections["purpose"].endorsed_by == ["acme", "globex", "initech"]
        assert session.sections["mutual-benefits"].text == drafts[2]

        # 5. Export the agreement through the dialog.
        target = tmp_path / "tri-port-agreement.md"
        await pilot.press("f5")
        await settle(app, pilot)
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.pause(0.3)
        session_id = session.id

    tokens = MarkdownIt("commonmark").enable("table").parse(target.read_text(encoding="utf-8"))
    texts = inline_texts(tokens)
    assert any("Tri-Port Alliance" in t for t in texts)
    for draft in drafts:
        assert any(draft in t for t in texts), f"section text missing: {draft}"
    assert not any(t.type in ("html_block", "html_inline") for t in tokens)
    rows = table_rows(tokens)
    assert any("Agree one benefit measure per partner" in cell for row in rows for cell in row)
    snapshot = [row for row in rows if row and row[0] == "3"]
    assert snapshot and ["3", "0", "4"] == snapshot[0][2:5], "the health-check snapshot has point 3's scores"

    # And the store holds the same meeting.
    saved = store.load(session_id)
    assert saved.sections["purpose"].agreed and saved.points["mutual-benefit"].revealed
