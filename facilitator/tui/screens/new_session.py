"""The form for a new kick-off or review: alliance, partners with their sponsors and team, date, kind.

Every problem is shown right under the field it concerns (a `-error` label, the input marked
`-invalid`), and nothing is created until the whole form is valid. Dismisses with the new
session's id, or None when cancelled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as Date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, RadioSet, Static

from facilitator.base.errors import FacilitatorError, InvalidInput
from facilitator.domain.roster import PartnerEntry, check_roster, split_names
from facilitator.domain.validation import clean_name, clip
from facilitator.tui.widgets.partner_roster import EditsRoster, PartnerRoster, PartnerRow, row_message
from facilitator.tui.widgets.toggles import StateRadioButton

__all__ = ["FormData", "FormErrors", "NewSessionScreen", "PartnerRow", "validate"]

DATE_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class FormData:
    alliance: str
    date: str
    kind: str
    facilitator: str
    partners: list[tuple[str, str, str]]  # name, sponsors text, participants text


@dataclass
class FormErrors:
    alliance: str = ""
    date: str = ""
    facilitator: str = ""
    partners: str = ""
    rows: dict[int, tuple[str, str]] = field(default_factory=dict)  # row index -> (which input, message)

    def __bool__(self) -> bool:
        return bool(self.alliance or self.date or self.facilitator or self.partners or self.rows)


def date_error(value: str) -> str:
    text = value.strip()
    if not text:
        return "Date: give the meeting date as YYYY-MM-DD, for example 2026-03-31."
    if not DATE_FORMAT.fullmatch(text):
        return f"Date: “{clip(text)}” is not a date; use YYYY-MM-DD, for example 2026-03-31."
    try:
        Date.fromisoformat(text)
    except ValueError:
        return f"Date: {text} does not exist in the calendar."
    return ""


def name_error(value: str, what: str) -> str:
    try:
        clean_name(value, what)
    except InvalidInput as error:
        return str(error)
    return ""


def validate(data: FormData) -> FormErrors:
    """Every problem with the form, each tied to its field. Pure: no widgets involved."""
    errors = FormErrors()
    if not data.alliance.strip():
        errors.alliance = "Give the alliance a name."
    else:
        errors.alliance = name_error(data.alliance, "The alliance name")
    errors.date = date_error(data.date)
    if data.facilitator.strip():
        errors.facilitator = name_error(data.facilitator, "The facilitator's name")
    # The partners are checked as everywhere partners are named (the roster's checks).
    problems = check_roster(
        [
            PartnerEntry(name, split_names(sponsors), split_names(participants))
            for name, sponsors, participants in data.partners
        ]
    )
    errors.rows = {index: (which, row_message(message)) for index, (which, message) in problems.rows.items()}
    if problems.overall:
        add = " Add one with ctrl+n." if len(data.partners) < 2 else ""
        errors.partners = problems.overall + add
    return errors


class NewSessionScreen(EditsRoster, Screen[str | None]):
    """A validated form; ctrl+s creates the session, escape cancels."""

    CSS_PATH = "new_session.tcss"
    HELP_NAME = "new session"
    AUTO_FOCUS = "#alliance"
    BINDINGS = [
        Binding("ctrl+s", "create", "Create", priority=True),
        Binding("ctrl+n", "add_partner", "Add partner"),
        Binding("ctrl+r", "remove_partner", "Remove partner"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, today: Date | None = None) -> None:
        super().__init__()
        self.today = (today or Date.today()).isoformat()
        self.tried = False  # after the first Create, every field shows its problem
        self.touched: set[str] = set()
        self._creating = False

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("New session", id="heading")
        with VerticalScroll(id="form"):
            yield Label("Alliance", classes="field-label")
            yield Input(
                placeholder="Name of the alliance, e.g. Coastal Corridor Alliance", id="alliance", max_length=200
            )
            yield Label("", id="alliance-error", classes="-error")
            with Horizontal(id="meta"):
                with Vertical(id="date-field", classes="field"):
                    yield Label("Date (YYYY-MM-DD)", classes="field-label")
                    yield Input(self.today, id="date")
                with Vertical(id="kind-field", classes="field"):
                    yield Label("Kind", classes="field-label")
                    with RadioSet(id="kind"):
                        yield StateRadioButton("Kick-off", value=True, id="kickoff")
                        yield StateRadioButton("Review", id="review")
                with Vertical(id="facilitator-field", classes="field"):
                    yield Label("Facilitator", classes="field-label")
                    yield Input(placeholder="Your name", id="facilitator", max_length=200)
            # Under the row of short fields, full width, so a message reads on one line.
            yield Label("", id="date-error", classes="-error")
            yield Label("", id="facilitator-error", classes="-error")
            yield Label("Partner organisations", classes="section-label")
            yield Static(
                "Two or more. Name each organisation; separate names of sponsors and team members with commas.",
                classes="hint",
            )
            with Horizontal(id="partner-header"):
                yield Label("Organisation", classes="name")
                yield Label("Sponsors", classes="sponsors")
                yield Label("Team members", classes="participants")
            yield PartnerRoster(id="partners")
            yield Label("", id="partners-error", classes="-error")
            with Horizontal(id="buttons"):
                yield Button("Add partner (ctrl+n)", id="add")
                yield Button("Create (ctrl+s)", id="create", variant="primary")
                yield Button("Cancel (esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        for error in self.query(".-error"):
            error.display = False

    # -- reading the form ---------------------------------------------------------------------

    @property
    def roster(self) -> PartnerRoster:
        return self.query_one("#partners", PartnerRoster)

    def rows(self) -> list[PartnerRow]:
        return self.roster.rows()

    def data(self) -> FormData:
        kind = self.query_one("#kind", RadioSet).pressed_button
        return FormData(
            alliance=self.query_one("#alliance", Input).value,
            date=self.query_one("#date", Input).value,
            kind=kind.id if kind is not None and kind.id else "kickoff",
            facilitator=self.query_one("#facilitator", Input).value,
            partners=[row.values() for row in self.rows()],
        )

    def is_dirty(self) -> bool:
        data = self.data()
        typed = [data.alliance, data.facilitator] + [v for row in data.partners for v in row]
        return any(v.strip() for v in typed) or data.date.strip() != self.today or data.kind != "kickoff"

    # -- validation ---------------------------------------------------------------------------

    def show_errors(self, errors: FormErrors) -> None:
        def show(field_id: str, message: str) -> None:
            visible = message if (self.tried or field_id in self.touched) else ""
            self.query_one(f"#{field_id}", Input).set_class(bool(visible), "-invalid")
            label = self.query_one(f"#{field_id}-error", Label)
            label.update(Text(visible))
            label.display = bool(visible)

        show("alliance", errors.alliance)
        show("date", errors.date)
        show("facilitator", errors.facilitator)
        for index, row in enumerate(self.rows()):
            which, message = errors.rows.get(index, ("", ""))
            if not (self.tried or f"row-{id(row)}-{which}" in self.touched):
                message = ""
            row.show_error(which, message)
        partners = self.query_one("#partners-error", Label)
        message = errors.partners if self.tried else ""
        partners.update(Text(message))
        partners.display = bool(message)

    def revalidate(self) -> FormErrors:
        errors = validate(self.data())
        self.show_errors(errors)
        return errors

    def _touch_key(self, widget: Input) -> str | None:
        if widget.id in ("alliance", "date", "facilitator"):
            return widget.id
        row = self.roster.row_of(widget)
        which = row.field_of(widget) if row is not None else None
        return f"row-{id(row)}-{which}" if which else None

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        # Once a problem is shown, it goes away as soon as it is fixed.
        self.revalidate()

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        key = self._touch_key(event.input)
        if key is not None and (event.value.strip() or key == "date"):
            self.touched.add(key)
            self.revalidate()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    # -- partners -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_partner" and self.is_mounted:
            return not self.roster.full or None
        if action == "remove_partner" and self.is_mounted:
            return bool(self.rows()) or None
        return True

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add":
            await self.action_add_partner()
        elif event.button.id == "create":
            self.action_create()
        elif event.button.id == "cancel":
            self.action_cancel()
        elif event.button.has_class("remove"):
            row = next((a for a in event.button.ancestors if isinstance(a, PartnerRow)), None)
            if row is not None:
                await self.action_remove_partner(row)

    # -- create and cancel --------------------------------------------------------------------

    def action_create(self) -> None:
        if self._creating:
            return
        self.tried = True
        errors = self.revalidate()
        if errors:
            self._focus_first_problem(errors)
            self.app.bell()
            return
        self._creating = True
        try:
            session_id = self._create(self.data())
        except FacilitatorError as error:
            self.notify(str(error), title="The session was not created", severity="error", timeout=8, markup=False)
            return
        finally:
            self._creating = False
        self.dismiss(session_id)

    def _create(self, data: FormData) -> str:
        from facilitator.domain.session_factory import create_session

        entries = [PartnerEntry(name, split_names(s), split_names(p)) for name, s, p in data.partners]
        session = create_session(
            data.alliance, entries, date=data.date.strip(), kind=data.kind, facilitator=data.facilitator
        )
        opened = self.app.store.create(session)
        # Released here; the meeting workspace takes the lock again when it opens the session.
        opened.close()
        return opened.id

    def _focus_first_problem(self, errors: FormErrors) -> None:
        for field_id, problem in (
            ("alliance", errors.alliance),
            ("date", errors.date),
            ("facilitator", errors.facilitator),
        ):
            if problem:
                self.query_one(f"#{field_id}", Input).focus()
                return
        rows = self.rows()
        for index in sorted(errors.rows):
            which, _message = errors.rows[index]
            if index < len(rows):
                rows[index].query_one(f".{which}", Input).focus()
                return
        if errors.partners:
            self.query_one("#add", Button).focus()

    def action_cancel(self) -> None:
        if not self.is_dirty():
            self.dismiss(None)
            return
        from facilitator.tui.dialogs.confirm import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Discard this new session?",
                "What you typed in this form will not be saved.",
                "Discard",
                "Keep editing",
                danger=True,
            ),
            answered,
        )
