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
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Static

from ..errors import FacilitatorError, InvalidInput
from ..model import MAX_PARTNERS, clean_name

DATE_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")


def split_names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


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
        return f"Date: “{text}” is not a date; use YYYY-MM-DD, for example 2026-03-31."
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
    seen: dict[str, int] = {}
    for index, (name, sponsors, participants) in enumerate(data.partners):
        name = name.strip()
        if not name:
            errors.rows[index] = ("name", "Name this partner organisation, or remove the row (ctrl+r).")
            continue
        problem = name_error(name, "The partner's name")
        if problem:
            errors.rows[index] = ("name", problem)
            continue
        folded = name.casefold()
        if folded in seen:
            errors.rows[index] = ("name", f"“{name}” is already partner {seen[folded] + 1}: "
                                          "each partner is named once (capitals do not count).")
            continue
        seen[folded] = index
        for which, text, what in (("sponsors", sponsors, "A sponsor's name"),
                                  ("participants", participants, "A team member's name")):
            problem = next((p for p in (name_error(n, what) for n in split_names(text)) if p), "")
            if problem:
                errors.rows[index] = (which, problem)
                break
    if len(data.partners) < 2:
        errors.partners = "A session needs at least two partner organisations: add one with ctrl+n."
    return errors


class PartnerRow(Widget):
    """One partner organisation: its name, sponsors and team members, and a remove button."""

    def __init__(self, number: int, name: str = "", sponsors: str = "", participants: str = "") -> None:
        super().__init__(classes="partner")
        self.number = number
        self._values = (name, sponsors, participants)

    def compose(self) -> ComposeResult:
        name, sponsors, participants = self._values
        with Horizontal(classes="partner-inputs"):
            yield Input(name, placeholder=f"Partner {self.number}", classes="name", max_length=200)
            yield Input(sponsors, placeholder="Name, name", classes="sponsors")
            yield Input(participants, placeholder="Name, name", classes="participants")
            yield Button("Remove", classes="remove", compact=True, tooltip="Remove this partner (ctrl+r)")
        yield Label("", classes="-error")

    def renumber(self, number: int) -> None:
        self.number = number
        self.query_one(".name", Input).placeholder = f"Partner {number}"

    def _inputs(self) -> list[Input]:
        return list(self.query(Input))

    def values(self) -> tuple[str, str, str]:
        inputs = self._inputs()
        if len(inputs) != 3:  # not composed yet: what it was created with
            return self._values  # type: ignore[return-value]
        return tuple(i.value for i in inputs)  # type: ignore[return-value]

    def show_error(self, which: str, message: str) -> None:
        if len(self._inputs()) != 3:
            return
        for key in ("name", "sponsors", "participants"):
            self.query_one(f".{key}", Input).set_class(bool(message) and key == which, "-invalid")
        error = self.query_one(".-error", Label)
        error.update(Text(message))  # it may quote what was typed: never read as markup
        error.display = bool(message)


class NewSessionScreen(Screen[str | None]):
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
        self._rows: list[PartnerRow] = [PartnerRow(1), PartnerRow(2)]  # in order; the source of truth

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("New session", id="heading")
        with VerticalScroll(id="form"):
            yield Label("Alliance", classes="field-label")
            yield Input(placeholder="Name of the alliance, e.g. Coastal Corridor Alliance", id="alliance",
                        max_length=200)
            yield Label("", id="alliance-error", classes="-error")
            with Horizontal(id="meta"):
                with Vertical(id="date-field", classes="field"):
                    yield Label("Date (YYYY-MM-DD)", classes="field-label")
                    yield Input(self.today, id="date", max_length=10)
                with Vertical(id="kind-field", classes="field"):
                    yield Label("Kind", classes="field-label")
                    with RadioSet(id="kind"):
                        yield RadioButton("Kick-off", value=True, id="kickoff")
                        yield RadioButton("Review", id="review")
                with Vertical(id="facilitator-field", classes="field"):
                    yield Label("Facilitator", classes="field-label")
                    yield Input(placeholder="Your name", id="facilitator", max_length=200)
            # Under the row of short fields, full width, so a message reads on one line.
            yield Label("", id="date-error", classes="-error")
            yield Label("", id="facilitator-error", classes="-error")
            yield Label("Partner organisations", classes="section-label")
            yield Static("Two or more. Name each organisation; separate names of sponsors and team members "
                         "with commas.", classes="hint")
            with Horizontal(id="partner-header"):
                yield Label("Organisation", classes="name")
                yield Label("Sponsors", classes="sponsors")
                yield Label("Team members", classes="participants")
            with Vertical(id="partners"):
                yield from self._rows
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

    def rows(self) -> list[PartnerRow]:
        return list(self._rows)

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
        for row in self.rows():
            if widget in row.query(Input):
                kind = next(c for c in ("name", "sponsors", "participants") if widget.has_class(c))
                return f"row-{id(row)}-{kind}"
        return None

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

    async def action_add_partner(self) -> None:
        rows = self.rows()
        if len(rows) >= MAX_PARTNERS:
            self.notify(f"At most {MAX_PARTNERS} partner organisations.", severity="warning")
            return
        row = PartnerRow(len(rows) + 1)
        self._rows.append(row)
        # Awaited: the row's inputs exist only once its mount has finished (querying them from a
        # callback after the next refresh raced the mount and crashed the app with NoMatches).
        await self.query_one("#partners").mount(row)
        row.query_one(".name", Input).focus()
        row.scroll_visible()
        self.refresh_bindings()

    async def action_remove_partner(self, row: PartnerRow | None = None) -> None:
        if row is None:
            focused = self.focused
            row = next((r for r in self.rows() if focused is not None and focused in r.query("*")), None)
        if row is None:
            self.notify("Move to a partner's row first, then press ctrl+r to remove it.", timeout=4)
            return
        rows = self.rows()
        if row not in rows:
            return
        index = rows.index(row)
        self._rows.remove(row)
        await row.remove()
        remaining = [r for r in rows if r is not row]
        for number, other in enumerate(remaining, start=1):
            other.renumber(number)
        if remaining:
            remaining[min(index, len(remaining) - 1)].query_one(".name", Input).focus()
        self.revalidate()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_partner" and self.is_mounted:
            return len(self.rows()) < MAX_PARTNERS or None
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
        from ..session_factory import create_session

        names = [name.strip() for name, _s, _p in data.partners]
        session = create_session(
            data.alliance, names, date=data.date.strip(), kind=data.kind, facilitator=data.facilitator,
            sponsors={name.strip(): split_names(s) for name, s, _p in data.partners},
            participants={name.strip(): split_names(p) for name, _s, p in data.partners},
        )
        opened = self.app.store.create(session)
        # Released here; the meeting workspace takes the lock again when it opens the session.
        opened.close()
        return opened.id

    def _focus_first_problem(self, errors: FormErrors) -> None:
        for field_id in ("alliance", "date", "facilitator"):
            if getattr(errors, field_id):
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
        from .confirm import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard this new session?",
                                           "What you typed in this form will not be saved.",
                                           "Discard", "Keep editing", danger=True), answered)
