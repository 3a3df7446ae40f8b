"""The Terms tab: what the agreement holds beyond its sections' text, at a glance, and the keys that
edit it: the version and dates, the term and the deadlock rule (`t`), the parties' legal names and
signatories (`s`), and where the governance tables and exit triggers are kept.

The forms change the session; the tab posts `TermsTab.TermsChanged` (up) so the pane marks the
preview stale and reports the edit for the autosave.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static, TabPane

from facilitator.domain.agreement_checks import is_final, version_number
from facilitator.domain.agreement_terms import AgreementTerms
from facilitator.domain.history.timeline import Timeline
from facilitator.tui.dialogs.terms_forms import AgreementTermsForm, SignatoriesForm, Signatory, apply_signatories
from facilitator.tui.meeting_context import MeetingContext

NOT_AGREED = "[$text-muted i]not agreed yet[/]"


class TermsBody(VerticalScroll, can_focus=True):
    """The summary, scrollable and focusable, so its keys work from the keyboard alone."""

    BINDINGS = [
        Binding("t,T", "edit_terms", "Edit terms"),
        Binding("s,S", "edit_signatories", "Signatories"),
    ]

    def action_edit_terms(self) -> None:
        self.post_message(TermsTab.EditAsked("terms"))

    def action_edit_signatories(self) -> None:
        self.post_message(TermsTab.EditAsked("signatories"))


class TermsTab(TabPane):
    DEFAULT_CSS = """
    TermsTab #terms-body {
        height: 1fr;
        border: tall $panel;
        padding: 0 1;
    }
    TermsTab #terms-body:focus {
        border: tall $accent;
    }
    TermsTab #terms-buttons {
        height: auto;
    }
    TermsTab #terms-buttons Button {
        margin-right: 2;
    }
    """

    class TermsChanged(Message):
        """The terms or the signatories were edited: `what` says which."""

        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    class EditAsked(Message):
        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    def __init__(self, context: MeetingContext, **kwargs) -> None:
        super().__init__("Terms", **kwargs)
        self.context = context
        self.timeline: Timeline | None = None  # the alliance's sessions, once read: the version counts them

    def compose(self) -> ComposeResult:
        with TermsBody(id="terms-body"):
            yield Static("", id="terms-summary")
        with Horizontal(id="terms-buttons"):
            yield Button("Edit terms  t", id="edit-terms", variant="primary")
            yield Button("Edit signatories  s", id="edit-signatories")

    def on_mount(self) -> None:
        self.refresh_summary()

    def focus_body(self) -> None:
        self.query_one("#terms-body").focus()

    # -- what it shows ----------------------------------------------------------------------------

    def version_shown(self) -> int:
        return version_number(self.context.session, self.timeline)

    def refresh_summary(self) -> None:
        if not self.is_mounted:
            return
        self.query_one("#terms-summary", Static).update(self.summary())

    def summary(self) -> Content:
        session = self.context.session
        terms = session.terms
        counted = "set by the room" if terms.version else "counted from the alliance's sessions"
        draft = (
            "[$success]final[/]: every section agreed and endorsed"
            if is_final(session, self.context.checklist)
            else "[b]DRAFT[/] until every section is agreed and endorsed by every partner"
        )
        lines = [
            Content.from_markup(f"[b]Version {self.version_shown()}[/] ({counted}) · {draft}"),
            Content(""),
            _line("Effective date", terms.effective_date),
            _line("Term", terms.term),
            _line("Next review", terms.next_review),
            _line("Deadlock rule", terms.deadlock_rule),
            Content(""),
            Content.from_markup("[b]Parties and signatories[/]"),
        ]
        for p in session.partners:
            legal = p.legal_name or "legal name not given yet"
            signer = f"{p.signatory}, {p.signatory_title}" if p.signatory and p.signatory_title else p.signatory
            lines.append(
                Content.from_markup(
                    "• [b]$name[/]: $legal · $signer",
                    name=p.name,
                    legal=legal,
                    signer=f"signed by {signer}" if signer else "signatory not named yet",
                )
            )
        lines += [Content(""), Content.from_markup(self._tables_line(terms))]
        return Content("\n").join(lines)

    def _tables_line(self, terms: AgreementTerms) -> str:
        def count(items: list, one: str, many: str) -> str:
            return f"{len(items)} {one if len(items) == 1 else many}"

        def where(table: str) -> str:
            section = next((s for s in self.context.checklist.sections if table in s.structured), None)
            return f" in section {section.number}" if section else ""

        return (
            "[$text-muted]Kept in their sections' tables (F9 there): "
            f"{count(terms.governance, 'governance body', 'governance bodies')}{where('governance')}, "
            f"{count(terms.escalation, 'escalation step', 'escalation steps')}{where('escalation')}, "
            f"{count(terms.triggers, 'exit trigger', 'exit triggers')}{where('triggers')}. "
            "The Close step checks the triggers against the alliance's history.[/]"
        )

    # -- edits ------------------------------------------------------------------------------------

    @on(Button.Pressed, "#edit-terms")
    def _terms_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.edit_terms()

    @on(Button.Pressed, "#edit-signatories")
    def _signatories_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.edit_signatories()

    @on(EditAsked)
    def _edit_asked(self, message: EditAsked) -> None:
        message.stop()
        if message.what == "terms":
            self.edit_terms()
        else:
            self.edit_signatories()

    def edit_terms(self) -> None:
        def saved(terms: AgreementTerms | None) -> None:
            if terms is None or terms == self.context.session.terms:
                return
            self.context.session.terms = terms
            self._changed("terms")

        self.app.push_screen(AgreementTermsForm(self.context, self.version_shown()), saved)

    def edit_signatories(self) -> None:
        def saved(signatories: list[Signatory] | None) -> None:
            if signatories is not None and apply_signatories(self.context.session, signatories):
                self._changed("signatories")

        self.app.push_screen(SignatoriesForm(self.context.session), saved)

    def _changed(self, what: str) -> None:
        self.refresh_summary()
        self.post_message(self.TermsChanged(what))


def _line(label: str, value: str) -> Content:
    if not value.strip():
        return Content.from_markup(f"[b]{label}:[/] {NOT_AGREED}")
    return Content.from_markup(f"[b]{label}:[/] $value", value=" ".join(value.split()))
