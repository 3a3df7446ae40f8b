"""A follow-up review in the meeting: sections agreed at the kick-off say so, and F6 re-confirms."""

from __future__ import annotations

from pane_harness import screen_text
from textual.widgets import OptionList, SelectionList

from facilitator.domain.session_factory import create_session, follow_up_session
from facilitator.tui.app import make_app
from facilitator.tui.panes.agreement import AgreementPane


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def review_of_a_kickoff(store) -> str:
    kickoff = create_session("Tri-Port", ["Acme Ports", "Beta Shipping", "Gamma Rail"], date="2026-06-01")
    purpose = kickoff.section("purpose")
    purpose.text, purpose.agreed = "Move freight together.", True
    purpose.endorsed_by = [p.key for p in kickoff.partners]
    with store.create(kickoff) as opened:
        kickoff_id = opened.id
    with store.create(follow_up_session(store.load(kickoff_id), date="2026-09-01")) as opened:
        return opened.id


async def test_a_carried_over_section_says_when_it_was_agreed_and_is_re_confirmed(store):
    for size in ((100, 30), (80, 24)):
        review_id = review_of_a_kickoff(store)
        app = make_app(store=store, open_session=review_id)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            app.screen.show_step("agreement", section=0)
            await settle(app, pilot)
            pane = app.screen.query_one(AgreementPane)
            section_list = pane.query_one("#section-list", OptionList)
            # At 80x24 the list has one line a section: the status is its glyph there, in words
            # in the heading above the draft.
            entry = str(section_list.get_option_at_index(0).prompt)
            assert ("to re-confirm" in entry) if size == (100, 30) else ("↻" in entry)
            assert "↻ to re-confirm" in str(pane.query_one("#section-heading").render()).replace("\xa0", " ")
            note = str(pane.query_one("#section-prompts").render())
            assert note.startswith(
                "↻ Agreed and endorsed by all 3 at the kick-off on 2026-06-01 — re-confirm if it "
                "still holds. (F6 re-confirms it)"
            ), note
            assert "Agreed and endorsed by all 3" in screen_text(app), "on screen, not scrolled away"
            await pilot.press("f6")
            await pilot.pause()
            endorsements = pane.query_one("#endorsements", SelectionList)
            assert len(endorsements.selected) == 3, "re-confirmed with the endorsements it had"
            assert ("✔ agreed" if size == (100, 30) else "✔") in str(section_list.get_option_at_index(0).prompt)
            assert "agreed again in this session" in str(pane.query_one("#section-prompts").render())
            await pilot.press("f10")
            await settle(app, pilot)
        purpose = store.load(review_id).sections["purpose"]
        assert purpose.agreed and len(purpose.endorsed_by) == 3
