"""Edit the partners of an open session: rename one, name its sponsors and team, add or remove one.

Opened from the welcome step (`p`). The rows and their checks are the new-session form's
(`PartnerRoster`, `facilitator.domain.roster`); each row remembers its partner's key, so a renamed
partner keeps its scores, endorsements and roles. Saving a roster that leaves out a partner that
already holds something (scores, endorsements, roles …) asks first, saying what goes. Dismisses
with the edited entries, or None when cancelled; the caller applies them to the session.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Static

from facilitator.domain.model import Session
from facilitator.domain.roster import PartnerEntry, check_roster, removed_partners
from facilitator.tui.widgets.partner_roster import EditsRoster, PartnerRoster


class EditPartnersScreen(EditsRoster, ModalScreen[list[PartnerEntry] | None]):
    """The session's partners as rows to edit; ctrl+s saves, escape cancels."""

    CSS_PATH = "edit_partners.tcss"
    HELP_NAME = "edit partners"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("ctrl+n", "add_partner", "Add partner"),
        Binding("ctrl+r", "remove_partner", "Remove partner"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.original = [PartnerEntry.of(p) for p in session.partners]
        self.tried = False  # after the first save, every row shows its problem
        self.touched: set[tuple[int, str]] = set()  # (id of row, field) left with something typed

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Partners, sponsors and team members", id="title")
            yield Static(
                "Renaming a partner keeps its scores and sign-offs. Separate names with commas.", classes="hint"
            )
            with Horizontal(id="partner-header"):
                yield Label("Organisation", classes="name")
                yield Label("Sponsors", classes="sponsors")
                yield Label("Team members", classes="participants")
            with VerticalScroll(id="rows"):
                yield PartnerRoster(self.original, id="partners")
            yield Label("", id="partners-error")
            with Horizontal(id="buttons"):
                yield Button("Add partner (ctrl+n)", id="add")
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#partners-error", Label).display = False
        self.roster.rows()[0].query_one(".name", Input).focus()

    @property
    def roster(self) -> PartnerRoster:
        return self.query_one("#partners", PartnerRoster)

    def entries(self) -> list[PartnerEntry]:
        return self.roster.entries()

    # -- checks ----------------------------------------------------------------------------------

    def revalidate(self) -> bool:
        """Show the problems there may be shown now; True when the roster is valid."""
        entries = self.entries()
        problems = check_roster(entries)
        self.roster.show_problems(problems, lambda row, which: self.tried or (id(row), which) in self.touched)
        overall = self.query_one("#partners-error", Label)
        message = problems.overall if self.tried else ""
        if message and len(entries) < 2:
            message += " Add one with ctrl+n."
        overall.update(Text(message))
        overall.display = bool(message)
        return not problems

    @on(Input.Changed)
    def _changed(self) -> None:
        self.revalidate()

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        row = self.roster.row_of(event.input)
        which = row.field_of(event.input) if row is not None else None
        if which and event.value.strip():
            self.touched.add((id(row), which))
            self.revalidate()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    # -- rows ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_partner" and self.is_mounted:
            return not self.roster.full or None
        return True

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add":
            await self.action_add_partner()
        elif event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()
        elif event.button.has_class("remove"):
            row = self.roster.row_of(event.button)
            if row is not None:
                await self.action_remove_partner(row)

    # -- save and cancel -------------------------------------------------------------------------

    def action_save(self) -> None:
        self.tried = True
        if not self.revalidate():
            self._focus_first_problem()
            self.app.bell()
            return
        entries = self.entries()
        holding = [gone for gone in removed_partners(self.session, entries) if gone]
        if not holding:
            self.dismiss(entries)
            return
        from facilitator.tui.dialogs.confirm import ConfirmScreen

        names = " and ".join(gone.name for gone in holding)
        text = "\n".join(gone.describe() for gone in holding) + "\n\nThis cannot be undone in the app."

        def answered(remove: bool | None) -> None:
            if remove:
                self.dismiss(entries)

        self.app.push_screen(
            ConfirmScreen(f"Remove {names} from this session?", text, "Remove and save", "Keep editing", danger=True),
            answered,
        )

    def _focus_first_problem(self) -> None:
        problems = check_roster(self.entries())
        rows = self.roster.rows()
        for index in sorted(problems.rows):
            if index < len(rows):
                rows[index].query_one(f".{problems.rows[index][0]}", Input).focus()
                return
        self.query_one("#add", Button).focus()

    def action_cancel(self) -> None:
        if self.entries() == self.original:
            self.dismiss(None)
            return
        from facilitator.tui.dialogs.confirm import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Discard these changes?", "The partners stay as they were.", "Discard", "Keep editing", danger=True
            ),
            answered,
        )
