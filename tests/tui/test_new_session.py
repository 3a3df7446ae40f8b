"""The new-session form: problems shown next to their fields, nothing created until valid."""

from __future__ import annotations

from textual.widgets import Input, Label
from tui_support import SIZE, settle

from facilitator.tui.dialogs.confirm import ConfirmScreen
from facilitator.tui.screens.new_session import FormData, NewSessionScreen, PartnerRow, validate
from facilitator.tui.screens.session_list import SessionListScreen


def error_of(screen: NewSessionScreen, field_id: str) -> str:
    label = screen.query_one(f"#{field_id}-error", Label)
    return str(label.render()) if label.display else ""


def row_error(row: PartnerRow) -> str:
    label = row.query_one(".-error", Label)
    return str(label.render()) if label.display else ""


def fill_row(row: PartnerRow, name: str, sponsors: str = "", participants: str = "") -> None:
    row.query_one(".name", Input).value = name
    row.query_one(".sponsors", Input).value = sponsors
    row.query_one(".participants", Input).value = participants


async def open_form(app, pilot) -> NewSessionScreen:
    await settle(app, pilot)
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.screen, NewSessionScreen)
    return app.screen


async def test_empty_form_shows_each_problem_next_to_its_field_and_creates_nothing(app_factory, store):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        assert app.focused is form.query_one("#alliance", Input)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NewSessionScreen), "an invalid form stays open"
        assert error_of(form, "alliance") == "Give the alliance a name."
        assert form.query_one("#alliance", Input).has_class("-invalid")
        rows = form.rows()
        assert len(rows) == 2
        for row in rows:
            assert "Name this partner organisation" in row_error(row)
            assert row.query_one(".name", Input).has_class("-invalid")
        assert error_of(form, "date") == "", "today's date is fine"
        assert app.focused is form.query_one("#alliance", Input), "the first problem gets the focus"

        # Fixing a field clears its message at once.
        await pilot.press(*"Harbour")
        await pilot.pause()
        assert error_of(form, "alliance") == ""
        assert not form.query_one("#alliance", Input).has_class("-invalid")
    assert store.ids() == []


async def test_duplicate_partners_and_impossible_dates_are_refused(app_factory, store):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#alliance", Input).value = "Harbour Link"
        rows = form.rows()
        fill_row(rows[0], "Acme Ports")
        fill_row(rows[1], "ACME ports ")
        date = form.query_one("#date", Input)
        date.value = "2026-02-30"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is already partner 1" in row_error(rows[1])
        assert rows[1].query_one(".name", Input).has_class("-invalid")
        assert row_error(rows[0]) == ""
        assert error_of(form, "date") == "Date: 2026-02-30 does not exist in the calendar."
        assert date.has_class("-invalid")

        date.value = "30/01/2026"
        await pilot.pause()
        assert "use YYYY-MM-DD" in error_of(form, "date")

        # Down to one partner: the form says two are needed.
        rows[1].query_one(".name", Input).focus()
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert len(form.rows()) == 1
        assert "at least two partner organisations" in error_of(form, "partners")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen), "typed work is not thrown away without asking"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is form
    assert store.ids() == []


async def test_valid_form_creates_the_session_and_opens_it(app_factory, store, stub_meeting):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        await pilot.press(*"Tri-Port Alliance")
        form.query_one("#date", Input).value = "2026-04-15"
        form.query_one("#facilitator", Input).value = "Alex Morgan"
        await pilot.press("ctrl+n")  # a third partner
        await pilot.pause()
        rows = form.rows()
        assert len(rows) == 3
        assert app.focused is rows[2].query_one(".name", Input), "the new row is ready to type in"
        fill_row(rows[0], "Acme Ports", "Ana Ruiz, Li Wei", "Jo Park")
        fill_row(rows[1], "Beta Shipping", "Sam Osei")
        fill_row(rows[2], "Gamma Rail", "Kim Lund", "Ola Nord, Per Berg")
        form.query_one("#review").value = True
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, stub_meeting)
        session_id = app.screen.opened.id
    assert store.ids() == [session_id] == ["tri-port-alliance-2026-04-15"]
    session = store.load(session_id)
    assert session.alliance == "Tri-Port Alliance" and session.kind == "review"
    assert session.date == "2026-04-15" and session.facilitator == "Alex Morgan"
    assert [(p.name, p.sponsors, p.participants) for p in session.partners] == [
        ("Acme Ports", ["Ana Ruiz", "Li Wei"], ["Jo Park"]),
        ("Beta Shipping", ["Sam Osei"], []),
        ("Gamma Rail", ["Kim Lund"], ["Ola Nord", "Per Berg"]),
    ]
    assert store.holder(session_id) is None, "closing the meeting released the lock"


async def test_escape_on_an_untouched_form_returns_to_the_list(app_factory, store):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_form(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, SessionListScreen)
    assert store.ids() == []


async def test_form_fits_and_scrolls_at_80x24(app_factory):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        create = form.query_one("#create")
        create.focus()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        viewport = form.query_one("#form").region
        assert viewport.bottom <= 24 - 1, "the form ends above the footer"
        assert viewport.contains_region(create.region), "the Create button scrolls into view"


def test_validate_is_pure_and_names_every_problem():
    errors = validate(
        FormData(
            alliance=" ", date="2026-13-01", kind="kickoff", facilitator="", partners=[("Acme", "", ""), ("", "", "")]
        )
    )
    assert errors.alliance and "does not exist" in errors.date
    assert errors.rows == {1: ("name", "Name this partner organisation, or remove the row (ctrl+r).")}
    assert not validate(FormData("A", "2026-01-31", "review", "", [("A", "x, y", ""), ("B", "", "")]))


async def test_typed_brackets_are_shown_as_typed_never_as_markup(app_factory, store):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#alliance", Input).value = "[/] Odd [b]Alliance"
        rows = form.rows()
        fill_row(rows[0], "[b]Acme[/b]")
        fill_row(rows[1], "[B]acme[/B]")
        form.query_one("#date", Input).value = "[/x]"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "“[B]acme[/B]” is already partner 1" in row_error(rows[1])
        assert "“[/x]” is not a date" in error_of(form, "date")
        fill_row(rows[1], "Beta")
        form.query_one("#date", Input).value = "2026-05-05"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert store.load(store.ids()[0]).alliance == "[/] Odd [b]Alliance"


async def test_adding_partners_by_key_and_button_then_removing_one(app_factory, store, stub_meeting):
    """Ctrl+N right after the form opens used to crash the app (NoMatches on the new row)."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        await pilot.press("ctrl+n")  # a third partner, before anything else is typed
        rows = form.rows()
        assert len(rows) == 3
        assert app.focused is rows[2].query_one(".name", Input), "the new row is ready to type in"
        await pilot.press(*"Gamma Rail", "tab", *"Kim Lund")
        await pilot.press("ctrl+n", *"Delta Tunnels")  # a fourth, typed without a pause
        form.query_one("#add").scroll_visible(animate=False)
        await pilot.pause()
        await pilot.click("#add")  # and a fifth, from the button
        await pilot.pause()
        rows = form.rows()
        assert len(rows) == 5 and app.focused is rows[4].query_one(".name", Input)
        await pilot.press("ctrl+r")  # the empty fifth goes again
        await pilot.pause()
        rows = form.rows()
        assert len(rows) == 4 and app.focused is rows[3].query_one(".name", Input)
        assert [r.values()[0] for r in rows] == ["", "", "Gamma Rail", "Delta Tunnels"]
        form.query_one("#alliance", Input).value = "Four Ports"
        fill_row(rows[0], "Acme Ports", "Ana Ruiz")
        fill_row(rows[1], "Beta Shipping")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, stub_meeting)
    session = store.load(store.ids()[0])
    assert [(p.name, p.sponsors) for p in session.partners] == [
        ("Acme Ports", ["Ana Ruiz"]),
        ("Beta Shipping", []),
        ("Gamma Rail", ["Kim Lund"]),
        ("Delta Tunnels", []),
    ]


async def test_a_date_typed_after_a_click_into_the_date_field_is_not_swallowed(app_factory, store):
    """The field starts with today's date. A click places the cursor; what is typed then shows, and
    a date that is not one is named under the field (a length limit had dropped every key)."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(app, pilot)
        date = form.query_one("#date", Input)
        await pilot.click("#date")
        await pilot.press("end", *"2026-03-14")
        await pilot.pause()
        assert date.value == form.today + "2026-03-14"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NewSessionScreen)
        assert "is not a date" in error_of(form, "date")
        await pilot.click("#date")
        await pilot.press("home", "ctrl+k", *"2026-03-14")  # cleared to the end, typed again
        await pilot.pause()
        assert date.value == "2026-03-14"
        assert error_of(form, "date") == ""
    assert store.ids() == []
