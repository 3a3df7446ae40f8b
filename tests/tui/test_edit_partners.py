"""Partners, sponsors and team members edited inside the meeting (welcome step, `p`), with the
new-session form's rows and checks; a renamed partner keeps its scores, removing one asks first."""

from __future__ import annotations

from pane_harness import screen_text
from textual.widgets import Input, Label, SelectionList

from facilitator.domain.session_factory import create_session
from facilitator.tui.app import make_app
from facilitator.tui.dialogs.confirm import ConfirmScreen
from facilitator.tui.dialogs.edit_partners import EditPartnersScreen
from facilitator.tui.panes.agreement import AgreementPane
from facilitator.tui.panes.welcome import WelcomePane
from facilitator.tui.screens.meeting import MeetingScreen
from facilitator.tui.widgets.score_board import ScoreBoard

SIZE = (100, 30)


def three_partner_session(store) -> str:
    session = create_session(
        "Tri-Port",
        ["Acme Ports", "Beta Shipping", "Gamma Rail"],
        date="2026-06-01",
        sponsors={"Gamma Rail": ["Kim Lund"]},
    )
    for key, score in (("acme-ports", 3), ("beta-shipping", 1), ("gamma-rail", 4)):
        session.set_score("joint-framework", key, score)
    session.section("purpose").endorsed_by = ["gamma-rail"]
    with store.create(session) as opened:
        return opened.id


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def open_editor(app, pilot) -> EditPartnersScreen:
    await pilot.press("p")
    await pilot.pause()
    assert isinstance(app.screen, EditPartnersScreen)
    return app.screen


def row_error(row) -> str:
    label = row.query_one(".-error", Label)
    return str(label.render()) if label.display else ""


async def type_into(pilot, field: Input, text: str) -> None:
    field.focus()
    await pilot.pause()
    field.value = ""
    await pilot.press(*text)


async def test_rename_add_and_remove_partners_in_the_meeting(store):
    session_id = three_partner_session(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, MeetingScreen)
        meeting = app.screen
        editor = await open_editor(app, pilot)
        rows = editor.roster.rows()
        assert [r.values() for r in rows] == [
            ("Acme Ports", "", ""),
            ("Beta Shipping", "", ""),
            ("Gamma Rail", "Kim Lund", ""),
        ]
        # The form's checks: a duplicate name is refused, under its row.
        await type_into(pilot, rows[2].query_one(".name", Input), "acme ports")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor
        assert row_error(rows[2]) == (
            "“acme ports” is already partner 1: each partner is named once "
            "(capitals and look-alike letters do not count)."
        )
        # Rename Gamma, name its people, add a fourth partner, typed straight after ctrl+n.
        await type_into(pilot, rows[2].query_one(".name", Input), "Gamma Rail & Sea")
        assert row_error(rows[2]) == ""
        await type_into(pilot, rows[2].query_one(".sponsors", Input), "Kim Lund, Ola Nord")
        await pilot.press("tab", *"Per Berg")
        await pilot.press("ctrl+n", *"Delta Tunnels", "tab", *"Dee Vries")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is meeting
        session = meeting.session
        assert [(p.key, p.name, p.sponsors, p.participants) for p in session.partners] == [
            ("acme-ports", "Acme Ports", [], []),
            ("beta-shipping", "Beta Shipping", [], []),
            ("gamma-rail", "Gamma Rail & Sea", ["Kim Lund", "Ola Nord"], ["Per Berg"]),
            ("delta-tunnels", "Delta Tunnels", ["Dee Vries"], []),
        ]
        assert session.points["joint-framework"].scores["gamma-rail"] == 4, "the renamed partner keeps its score"
        welcome = screen_text(app)
        assert "Gamma Rail & Sea" in welcome and "Delta Tunnels" in welcome
        # The other steps know the four partners.
        await pilot.press("f3")
        await settle(app, pilot)
        board = str(meeting.query_one(ScoreBoard).render())
        assert "Gamma Rail & Sea" in board and "Delta Tunnels" in board
        endorsements = meeting.query_one(AgreementPane).query_one("#endorsements", SelectionList)
        assert [str(endorsements.get_option_at_index(i).prompt) for i in range(endorsements.option_count)] == [
            "Acme Ports",
            "Beta Shipping",
            "Gamma Rail & Sea",
            "Delta Tunnels",
        ]
        await pilot.press("f2")
        await settle(app, pilot)

        # Removing a partner with nothing recorded needs no question; one with scores asks first.
        editor = await open_editor(app, pilot)
        rows = editor.roster.rows()
        rows[3].query_one(".name", Input).focus()
        await pilot.press("ctrl+r")
        rows[1].query_one(".sponsors", Input).focus()
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert [r.values()[0] for r in editor.roster.rows()] == ["Acme Ports", "Gamma Rail & Sea"]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Beta Shipping: its 1 score will be deleted." in str(app.screen.query_one("#text").render())
        await pilot.press("n")  # keep editing: nothing changed yet
        await pilot.pause()
        assert app.screen is editor and len(meeting.session.partners) == 4
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen is meeting
        await pilot.press("f10")
        await settle(app, pilot)
    saved = store.load(session_id)
    assert [p.key for p in saved.partners] == ["acme-ports", "gamma-rail"]
    assert saved.points["joint-framework"].scores == {"acme-ports": 3, "gamma-rail": 4}
    assert saved.sections["purpose"].endorsed_by == ["gamma-rail"]


async def test_editor_refuses_fewer_than_two_partners_and_cancel_keeps_them(store):
    session_id = three_partner_session(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        meeting = app.screen
        editor = await open_editor(app, pilot)
        for _ in range(2):
            editor.roster.rows()[0].query_one(".name", Input).focus()
            await pilot.press("ctrl+r")
            await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor
        message = editor.query_one("#partners-error", Label)
        assert message.display and "at least two partner organisations" in str(message.render())
        await pilot.press("escape")  # changed: asks before throwing the edit away
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is meeting and isinstance(meeting.query_one("#step-welcome"), WelcomePane)
        assert len(meeting.session.partners) == 3
