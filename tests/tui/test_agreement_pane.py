"""The agreement pane, driven with keys and the mouse over the demo session: what the facilitator
does on screen must end up in the session, and be reported with `Edited` so it is saved."""

from __future__ import annotations

from textual.widgets import Checkbox, Markdown, OptionList, SelectionList, Static, TabbedContent, TextArea

from facilitator.domain.scoring import section_status
from facilitator.tui.dialogs.item_forms import MeasureForm, SponsorMeetingForm
from facilitator.tui.panes.agreement import AgreementPane
from facilitator.tui.panes.agreement import preview_tab as agreement  # PREVIEW_DELAY lives with the preview
from facilitator.tui.widgets.item_table import ItemTable

from .pane_harness import PaneHarness, screen_text

SIZE = (100, 30)


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


def pane_of(app) -> AgreementPane:
    return app.screen_stack[0].query_one(AgreementPane)


def option_text(pane: AgreementPane, index: int) -> str:
    return str(pane.query_one("#section-list", OptionList).get_option_at_index(index).prompt)


async def test_write_endorse_and_agree_a_section():
    app = PaneHarness(AgreementPane)
    session = app.session
    assert "relational-expectations" not in session.sections
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        assert app.focused is pane.query_one("#section-text")  # on arrival the room dictates
        await pilot.press("escape")  # to the section list
        assert app.focused is pane.query_one("#section-list")
        await pilot.press("down", "down", "down")  # section 4: relational expectations
        assert session.agenda.current_section == 3
        assert "4. Relational expectations" in str(pane.query_one("#section-heading", Static).content)
        assert "Ask the room" in screen_text(app)
        assert "section-choice" in app.edits

        await pilot.press("enter")  # into the editor
        await pilot.pause()
        editor = pane.query_one("#section-text", TextArea)
        assert app.focused is editor
        await pilot.press(*"We listen first.")
        draft = session.sections["relational-expectations"]
        assert draft.text == "We listen first."
        assert app.edits.count("section") == len("We listen first.")
        assert section_status(session, app.context.checklist, "relational-expectations") == "draft"
        assert "draft" in option_text(pane, 3)

        await pilot.press("f7")  # to the endorsements, then tick the first partner
        await pilot.pause()
        assert app.focused is pane.query_one("#endorsements", SelectionList)
        await pilot.press("space")
        await pilot.pause()
        assert draft.endorsed_by == ["northwind-logistics"]
        assert "endorsement" in app.edits
        assert "1/3" in option_text(pane, 3)

        await pilot.press("f6")  # agreed, from wherever the focus is
        assert draft.agreed is True
        assert "agreed" in app.edits
        assert "agreed" in option_text(pane, 3)

        await pilot.click("#agreed")  # and by mouse, back again
        assert draft.agreed is False
        assert draft.text == "We listen first."  # nothing else touched

        # Another section and back: each keeps its own text and sign-off.
        await pilot.press("alt+down")
        assert session.agenda.current_section == 4
        assert editor.text == session.sections.get("roles", type(draft)()).text
        assert not pane.query_one("#agreed", Checkbox).value
        await pilot.press("alt+up")
        assert editor.text == "We listen first."
        assert pane.query_one("#endorsements", SelectionList).selected == ["northwind-logistics"]


async def test_typing_on_arrival_adds_to_the_end_of_the_draft():
    app = PaneHarness(AgreementPane)
    draft = app.session.section("purpose")
    draft.text = "We build one logistics offer.\n\nIt serves ports first."
    app.session.agenda.current_section = 0
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*" And rail next.")
        assert draft.text == "We build one logistics offer.\n\nIt serves ports first. And rail next."
        # Another section and back: the cursor is again after the draft's last word.
        await pilot.press("alt+down", "alt+up", *" Then air.")
        assert draft.text.endswith("And rail next. Then air.")


async def test_section_keys_work_after_leaving_a_table():
    """From inside section 3's table (measures), Alt+Down reaches section 4, which has no table:
    the focus stays in the step, so Alt+Down goes on and F6 still marks a section agreed."""
    app = PaneHarness(AgreementPane)
    session = app.session
    session.agenda.current_section = 2  # mutual benefits and measures
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.press("f9")
        await pilot.pause()
        assert app.focused is pane.query_one("#section-table")
        await pilot.press("alt+down")
        await pilot.pause()
        assert session.agenda.current_section == 3
        assert app.focused is not None and pane in app.focused.ancestors
        await pilot.press("alt+down", "alt+down")
        assert session.agenda.current_section == 5
        await pilot.press("f6")
        assert session.sections["work-plan"].agreed is True
        footer_keys = {
            binding.key for (_node, binding, enabled, _tip) in app.active_bindings.values() if enabled and binding.show
        }
        assert {"f6", "f7", "f8"} <= footer_keys


async def test_opens_on_the_remembered_section_and_loading_it_is_not_an_edit():
    app = PaneHarness(AgreementPane)
    app.session.agenda.current_section = 5  # the work plan
    before = app.session.to_dict()
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.pause()
        assert pane.query_one("#section-list", OptionList).highlighted == 5
        assert "Joint tasks and work plan" in str(pane.query_one("#section-heading", Static).content)
        assert pane.query_one("#agreement-tabs", TabbedContent).get_tab("tab-table").label_text == "Work plan"
        assert app.edits == []
        assert app.session.to_dict() == before


async def test_add_a_measure_with_the_form_and_refuse_an_empty_name():
    app = PaneHarness(AgreementPane)
    session = app.session
    session.agenda.current_section = 2  # mutual benefits and measures
    count = len(session.measures)
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.press("f9")
        table = pane.query_one("#section-table", ItemTable)
        assert app.focused is table
        assert table.row_count == count

        await pilot.press("n")
        form = app.screen
        assert isinstance(form, MeasureForm)
        await pilot.press("ctrl+s")  # nothing typed
        assert app.screen is form
        assert "name" in form.errors()
        assert "cannot be empty" in screen_text(app)
        assert len(session.measures) == count

        await pilot.press(*"Joint bids won")
        assert form.errors() == {}  # a corrected field loses its message at once
        await pilot.press("tab", "tab")  # past the kind, to "how measured"
        await pilot.press(*"Count per quarter")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not form
        assert len(session.measures) == count + 1
        added = session.measures[-1]
        assert (added.name, added.kind, added.how_measured) == ("Joint bids won", "relational", "Count per quarter")
        assert "measures" in app.edits
        assert table.row_count == count + 1
        assert table.current_key() == added.id

        # Edit it (Enter on the row), then delete it after confirming.
        await pilot.press("enter")
        assert isinstance(app.screen, MeasureForm)
        await pilot.press("end", *" (all partners)", "ctrl+s")
        await pilot.pause()
        assert session.measures[-1].name == "Joint bids won (all partners)"
        assert session.measures[-1].id == added.id
        await pilot.press("delete")
        await pilot.press("n")  # "no" keeps it
        assert len(session.measures) == count + 1
        await pilot.press("delete", "y")
        await pilot.pause()
        assert len(session.measures) == count
        assert all(m.id != added.id for m in session.measures)


async def test_sponsor_meeting_with_an_impossible_date_is_refused_inline():
    app = PaneHarness(AgreementPane)
    session = app.session
    session.agenda.current_section = 6  # governance and sponsor meetings
    meetings = [m.to_dict() for m in session.sponsor_meetings]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9", "n")
        form = app.screen
        assert isinstance(form, SponsorMeetingForm)
        await pilot.press(*"2026-02-30", "enter")
        assert app.screen is form
        assert "does not exist in the calendar" in form.errors()["date"]
        assert [m.to_dict() for m in session.sponsor_meetings] == meetings
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not form
        assert [m.to_dict() for m in session.sponsor_meetings] == meetings
        assert "sponsor_meetings" not in app.edits


async def test_preview_shows_the_rendered_agreement_with_the_typed_text(monkeypatch):
    monkeypatch.setattr(agreement, "PREVIEW_DELAY", 0.05)
    app = PaneHarness(AgreementPane)
    app.session.agenda.current_section = 1  # partner profiles
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.press("enter")
        await pilot.press(*"Harbourline brings quayside cranes. ")
        await pilot.press("f8")
        await settle(app, pilot)
        tabs = pane.query_one("#agreement-tabs", TabbedContent)
        assert tabs.active == "tab-preview"
        source = pane.query_one("#preview", Markdown).source
        assert "Harbourline brings quayside cranes" in source
        assert "## 2. Partner profiles" in source
        assert "Harbourline brings quayside cranes" in screen_text(app)  # on screen, not only in the source

        # While the preview is shown, edits refresh it after a pause.
        await pilot.press("f6")
        await pilot.pause(0.2)
        await settle(app, pilot)
        assert "**Status:** Agreed" in pane.preview_source().split("## 2. Partner profiles")[1].split("## 3.")[0]

        await pilot.press("f8")
        assert tabs.active == "tab-draft"
        assert app.focused is pane.query_one("#section-text", TextArea)


async def test_a_broken_template_shows_a_message_not_a_traceback(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "agreement.md.j2").write_text("{% for s in sections %}\n{{ s.title }\n", encoding="utf-8")
    app = PaneHarness(AgreementPane, templates=templates)
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.press("f8")
        await settle(app, pilot)
        assert "could not be rendered" in str(pane.query_one("#preview-status", Static).content)
        assert app.is_running


async def test_text_that_cannot_be_saved_is_refused_with_a_message():
    app = PaneHarness(AgreementPane)
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        before = app.session.sections["purpose"].text
        editor = pane.query_one("#section-text", TextArea)
        editor.focus()
        editor.insert("\ud800")  # a broken surrogate from a bad paste
        await pilot.pause()
        assert app.session.sections["purpose"].text == before
        assert "cannot be saved" in str(pane.query_one("#text-error", Static).content)


async def test_usable_at_80x24():
    app = PaneHarness(AgreementPane)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = pane_of(app)
        await pilot.pause()
        text = screen_text(app)
        assert "Purpose and" in text and "Sign-off" in text and "Ask the room" in text
        await pilot.press(*" Fits")  # the editor has the focus on arrival, its cursor at the end
        assert app.session.sections["purpose"].text.endswith(" Fits")
        assert pane.has_class("-narrow")
