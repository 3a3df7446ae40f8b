"""The agreement's terms edited in the TUI as a facilitator does it, with keys: the Terms tab and
its forms (version, dates, term, deadlock rule; legal names and signatories), the governance
section's three tables, the exit triggers of section 8. What is typed must reach the session, be
reported for the autosave, and show in the exported agreement (parsed with markdown-it)."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.widgets import Input, Select, Static, TabbedContent

from facilitator.domain.session_factory import create_session
from facilitator.reports.render import render
from facilitator.tui.dialogs.terms_forms import (
    AgreementTermsForm,
    EscalationStepForm,
    ExitTriggerForm,
    GovernanceBodyForm,
    SignatoriesForm,
)
from facilitator.tui.panes.agreement import AgreementPane
from facilitator.tui.widgets.item_table import ItemTable

from .pane_harness import PaneHarness

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from report_helpers import all_text, parse, table_with_header  # noqa: E402

SIZE = (100, 30)
GOVERNANCE_SECTION = 6  # index of "7. Governance and sponsor meetings"
EXIT_SECTION = 7  # index of "8. Disagreements, review and exit"


def pane_of(app) -> AgreementPane:
    return app.screen_stack[0].query_one(AgreementPane)


def fresh_session():
    return create_session("Harbour Alliance", ["Acme", "Globex", "Initech"], date="2026-03-02")


async def fill(pilot, form, name: str, text: str) -> None:
    field = form.query_one(f"#field-{name}", Input)
    field.focus()
    await pilot.pause()
    field.value = ""
    await pilot.press(*text)


def agreement_tokens(session):
    return parse(render(session, "agreement"))


async def test_the_terms_tab_edits_dates_term_and_deadlock_rule_with_inline_errors():
    session = fresh_session()
    app = PaneHarness(AgreementPane, session=session)
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.press("ctrl+g")
        assert pane.query_one("#agreement-tabs", TabbedContent).active == "tab-terms"
        summary = str(pane.query_one("#terms-summary", Static).render())
        assert "Version 1 (counted from the alliance's sessions)" in summary
        assert "Effective date: not agreed yet" in summary

        await pilot.press("t")
        form = app.screen
        assert isinstance(form, AgreementTermsForm)
        await fill(pilot, form, "effective_date", "2026-02-30")
        await pilot.press("enter")
        assert app.screen is form  # an impossible date stays in the form, said under its field
        assert "does not exist" in form.errors()["effective_date"]

        await fill(pilot, form, "effective_date", "2026-04-01")
        await fill(pilot, form, "term", "Two years")
        await fill(pilot, form, "next_review", "2026-03-15")
        await pilot.press("ctrl+s")
        assert app.screen is form  # a review before the start is a slip: refused where it is typed
        assert "before the effective date" in form.errors()["next_review"]
        await fill(pilot, form, "next_review", "2026-10-01")
        await fill(pilot, form, "deadlock_rule", "The sponsors ask a mediator")
        await pilot.press("ctrl+s")
        await pilot.pause()

        assert app.screen is not form
        terms = session.terms
        assert (terms.effective_date, terms.term, terms.next_review) == ("2026-04-01", "Two years", "2026-10-01")
        assert terms.deadlock_rule == "The sponsors ask a mediator"
        assert terms.version == 0  # left empty: still counted
        assert "terms" in app.edits
        assert "Effective date: 2026-04-01" in str(pane.query_one("#terms-summary", Static).render())

    title = all_text(agreement_tokens(session))[2].splitlines()
    assert "Effective date: 2026-04-01" in title and "Term: Two years" in title
    assert "Next review: 2026-10-01" in title


async def test_a_version_set_by_the_room_is_kept_and_a_word_is_refused():
    session = fresh_session()
    app = PaneHarness(AgreementPane, session=session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g", "t")
        form = app.screen
        await fill(pilot, form, "version", "three")
        await pilot.press("enter")
        assert "whole number" in form.errors()["version"]
        await fill(pilot, form, "version", "3")
        await pilot.press("enter")
        await pilot.pause()
        assert session.terms.version == 3
    assert all_text(agreement_tokens(session))[2].splitlines()[0] == "Version 3 (draft)"


async def test_signatories_reach_the_parties_table_and_the_signature_block():
    session = fresh_session()
    app = PaneHarness(AgreementPane, session=session)
    acme = session.partners[0].key
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g", "s")
        form = app.screen
        assert isinstance(form, SignatoriesForm)
        await fill(pilot, form, f"legal-{acme}", "Acme Holdings Ltd")
        await fill(pilot, form, f"signatory-{acme}", "Ada Lovelace")
        await fill(pilot, form, f"title-{acme}", "Chief Executive")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is not form
        assert "signatories" in app.edits
        summary = str(pane_of(app).query_one("#terms-summary", Static).render())
        assert "Acme: Acme Holdings Ltd · signed by Ada Lovelace, Chief Executive" in summary

    partner = session.partners[0]
    assert (partner.legal_name, partner.signatory, partner.signatory_title) == (
        "Acme Holdings Ltd",
        "Ada Lovelace",
        "Chief Executive",
    )
    tokens = agreement_tokens(session)
    parties = table_with_header(tokens, "Partner", "Legal name")
    assert parties[1][:3] == ["Acme", "Acme Holdings Ltd", "Ada Lovelace, Chief Executive"]
    signatures = table_with_header(tokens, "Name", "Title")
    assert signatures[1][:3] == ["Ada Lovelace", "Chief Executive", "Acme Holdings Ltd"]


async def test_a_signatory_name_with_an_escape_sequence_is_refused():
    session = fresh_session()
    app = PaneHarness(AgreementPane, session=session)
    acme = session.partners[0].key
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g", "s")
        form = app.screen
        await pilot.pause()
        form.query_one(f"#field-signatory-{acme}", Input).value = "Ada\x1b[31m"  # a paste
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert app.screen is form
        assert "control characters" in form.errors()[f"signatory-{acme}"]
    assert session.partners[0].signatory == ""


async def test_a_governance_cell_with_a_bidi_override_is_refused_and_a_tab_becomes_a_space():
    """A paste into a one-line cell: a bidi override would show the row's words in another order
    on the shared screen and in the documents; a tab is only a wide space."""
    session = fresh_session()
    session.agenda.current_section = GOVERNANCE_SECTION
    app = PaneHarness(AgreementPane, session=session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9", "tab", "n")
        form = app.screen
        assert isinstance(form, GovernanceBodyForm)
        form.query_one("#field-layer", Input).value = "Board"
        form.query_one("#field-who", Input).value = "The\tsponsors"
        form.query_one("#field-decides", Input).value = "Budget \u202eevlos"  # a paste
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert app.screen is form
        assert "control characters" in form.errors()["decides"] and "who" not in form.errors()
        assert session.terms.governance == []
        form.query_one("#field-decides", Input).value = "Budget"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert [(g.layer, g.who, g.decides) for g in session.terms.governance] == [("Board", "The sponsors", "Budget")]


async def test_governance_bodies_and_the_escalation_ladder_are_tables_of_section_7():
    session = fresh_session()
    session.agenda.current_section = GOVERNANCE_SECTION
    app = PaneHarness(AgreementPane, session=session)
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        assert str(pane.query_one("#agreement-tabs", TabbedContent).get_tab("tab-table").label) == "Tables"
        await pilot.press("f9")
        assert app.focused is pane.query_one("#section-table", ItemTable)  # the sponsor meetings first
        await pilot.press("tab")
        governance = pane.query_one("#section-table-2", ItemTable)
        assert app.focused is governance
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, GovernanceBodyForm)
        await pilot.press("enter")
        assert "cannot be empty" in form.errors()["layer"]
        await pilot.press(*"Steering committee", "tab", *"The sponsors", "tab", *"Twice a year", "tab")
        await pilot.press(*"Strategy and budget", "enter")
        await pilot.pause()
        assert [(g.layer, g.who, g.how_often, g.decides) for g in session.terms.governance] == [
            ("Steering committee", "The sponsors", "Twice a year", "Strategy and budget")
        ]
        assert governance.row_count == 1 and "governance" in app.edits
        assert governance.border_title == "Governance bodies (1)"

        await pilot.press("tab")
        ladder = pane.query_one("#section-table-3", ItemTable)
        assert app.focused is ladder
        for who, limit in (("Alliance managers", "10 days"), ("Sponsors", "30 days")):
            await pilot.press("n")
            assert isinstance(app.screen, EscalationStepForm)
            await pilot.press(*who, "tab", *limit, "enter")
            await pilot.pause()
        assert [(e.who, e.time_limit) for e in session.terms.escalation] == [
            ("Alliance managers", "10 days"),
            ("Sponsors", "30 days"),
        ]
        assert [str(ladder.get_row_at(i)[0]) for i in range(ladder.row_count)] == ["1", "2"]
        # A table row is content: the section is a draft now.
        assert "draft" in str(pane.query_one("#section-heading", Static).render())

    tokens = agreement_tokens(session)
    assert table_with_header(tokens, "Layer", "Who")[1] == [
        "Steering committee",
        "The sponsors",
        "Twice a year",
        "Strategy and budget",
    ]
    assert table_with_header(tokens, "Level", "Who")[1:] == [
        ["1", "Alliance managers", "10 days"],
        ["2", "Sponsors", "30 days"],
    ]


async def test_editing_a_trigger_of_a_partner_who_left_keeps_that_partner():
    """Red team: opening the form on a trigger whose partner has left turned it into "any
    partner" on saving, another criterion than the one the sponsors signed."""
    from facilitator.domain.model import ExitTrigger

    session = fresh_session()
    session.agenda.current_section = EXIT_SECTION
    session.terms.triggers = [ExitTrigger("partner-index-below", 30, partner="umbrella-corp")]
    app = PaneHarness(AgreementPane, session=session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9", "e")
        form = app.screen
        assert isinstance(form, ExitTriggerForm)
        assert form.query_one("#field-partner", Select).value == "umbrella-corp"
        await fill(pilot, form, "threshold", "35")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not form
    (trigger,) = session.terms.triggers
    assert (trigger.partner, trigger.threshold) == ("umbrella-corp", 35)


async def test_an_exit_trigger_is_added_and_checked_by_its_kind():
    session = fresh_session()
    session.agenda.current_section = EXIT_SECTION
    app = PaneHarness(AgreementPane, session=session)
    async with app.run_test(size=SIZE) as pilot:
        pane = pane_of(app)
        await pilot.press("f9", "n")
        form = app.screen
        assert isinstance(form, ExitTriggerForm)
        kind = form.query_one("#field-kind", Select)
        kind.value = "sponsor-meetings-below"
        await fill(pilot, form, "threshold", "60")
        await pilot.press("enter")
        assert app.screen is form  # 60 is an index, not a number of meetings in a year
        assert "from 0 to 52" in form.errors()["threshold"]
        await fill(pilot, form, "threshold", "2")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not form
        (trigger,) = session.terms.triggers
        assert (trigger.kind, trigger.threshold, trigger.consequence) == ("sponsor-meetings-below", 2, "renegotiate")
        table = pane.query_one("#section-table", ItemTable)
        assert str(table.get_row_at(0)[0]) == "sponsors met in person fewer than twice in 12 months"

        await pilot.press("n")
        form = app.screen
        form.query_one("#field-kind", Select).value = "partner-index-below"
        form.query_one("#field-partner", Select).value = session.partners[1].key
        form.query_one("#field-consequence", Select).value = "exit"
        await fill(pilot, form, "threshold", "30")
        await fill(pilot, form, "running", "2")
        await pilot.press("enter")
        await pilot.pause()
        assert str(table.get_row_at(1)[0]) == "Globex's own index below 30 at 2 health checks running"
        assert "triggers" in app.edits

    rows = table_with_header(agreement_tokens(session), "Trigger", "Consequence")
    assert rows[2][:2] == ["Globex's own index below 30 at 2 health checks running", "A partner may exit"]
