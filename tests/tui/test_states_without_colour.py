"""A ticked box and an unticked one, a chosen radio button and another, read differently as plain
text (issue 12, item 8): on a washed-out projector or with NO_COLOR=1 the glyph is all there is."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from facilitator.domain.model import SectionDraft  # noqa: E402
from facilitator.domain.session_factory import create_session  # noqa: E402
from facilitator.tui.app import make_app  # noqa: E402
from facilitator.tui.screens.new_session import NewSessionScreen  # noqa: E402
from tui.pane_harness import screen_text  # noqa: E402

SIZE = (100, 30)


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def line_with(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if name in line)


async def test_sign_off_boxes_show_who_endorsed_without_colour(store):
    session = create_session("Colour Alliance", ["Acme", "Globex", "Initech"], date="2026-03-02")
    session.sections["purpose"] = SectionDraft(text="Why we work together.", endorsed_by=[session.partners[1].key])
    session.agenda.step = "agreement"
    with store.create(session) as opened:
        session_id = opened.id
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        shown = screen_text(app)
        assert "▐X▌ Globex" in line_with(shown, "Globex")  # endorsed
        assert "▐ ▌ Acme" in line_with(shown, "Acme")  # not yet
        assert "▐ ▌ Agreed by the room" in line_with(shown, "Agreed by the room")
        await pilot.press("f6")  # the room agrees the section
        await settle(app, pilot)
        assert "▐X▌ Agreed by the room" in line_with(screen_text(app), "Agreed by the room")


async def test_kick_off_and_review_read_differently_without_colour(store):
    app = make_app(store=store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, NewSessionScreen)
        shown = screen_text(app)
        assert "▐●▌ Kick-off" in shown and "▐○▌ Review" in shown
