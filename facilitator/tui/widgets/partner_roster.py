"""Rows of partner organisations to type in: a name, sponsors and team members each, added and
removed with the keyboard. Used by the new-session form and by the welcome step's partner editor,
which check what is typed with the same roster checks (`facilitator.domain.roster`)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Input, Label

from facilitator.domain.roster import EMPTY_NAME, FIELDS, PartnerEntry, RosterProblems, join_names, split_names
from facilitator.domain.validation import MAX_PARTNERS

REMOVE_HINT = "Name this partner organisation, or remove the row (ctrl+r)."


def row_message(message: str) -> str:
    """A roster problem as a row shows it: an empty name says how to drop the row instead."""
    return REMOVE_HINT if message == EMPTY_NAME else message


class PartnerRow(Widget):
    """One partner organisation: its name, sponsors and team members, and a remove button.

    `key` is the session's partner this row edits ("" for a new one): renaming keeps it.
    """

    DEFAULT_CSS = """
    PartnerRow {
        height: auto;
        width: 100%;
    }
    PartnerRow .partner-inputs {
        height: auto;
    }
    PartnerRow .partner-inputs Input {
        width: 1fr;
    }
    PartnerRow .partner-inputs .remove {
        width: 10;
        min-width: 0;
        height: 3;
        margin-left: 0;
        content-align: center middle;
        background: $surface;
        color: $text-muted;
    }
    PartnerRow .partner-inputs .remove:focus {
        background: $error;
        color: $text;
    }
    PartnerRow .partner-inputs .remove:hover {
        background: $error 60%;
    }
    PartnerRow .-error {
        color: $text-error;
        padding: 0 1;
        width: 100%;
        display: none;
    }
    PartnerRow Input.-invalid, PartnerRow Input.-invalid:focus {
        border: tall $error;
    }
    """

    def __init__(self, number: int, name: str = "", sponsors: str = "", participants: str = "", key: str = "") -> None:
        super().__init__(classes="partner")
        self.number = number
        self.key = key
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
        if self.is_mounted and self._inputs():
            self.query_one(".name", Input).placeholder = f"Partner {number}"

    def _inputs(self) -> list[Input]:
        return list(self.query(Input))

    def values(self) -> tuple[str, str, str]:
        inputs = self._inputs()
        if len(inputs) != 3:  # not composed yet: what it was created with
            return self._values
        return (inputs[0].value, inputs[1].value, inputs[2].value)

    def entry(self) -> PartnerEntry:
        name, sponsors, participants = self.values()
        return PartnerEntry(name, split_names(sponsors), split_names(participants), self.key)

    def field_of(self, widget: Widget) -> str | None:
        """Which of this row's fields `widget` is ("name", "sponsors", "participants"), if any."""
        return next(
            (f for f in FIELDS if isinstance(widget, Input) and widget.has_class(f) and widget in self._inputs()), None
        )

    def show_error(self, which: str, message: str) -> None:
        if len(self._inputs()) != 3:
            return
        for key in FIELDS:
            self.query_one(f".{key}", Input).set_class(bool(message) and key == which, "-invalid")
        error = self.query_one(".-error", Label)
        error.update(Text(message))  # it may quote what was typed: never read as markup
        error.display = bool(message)


class PartnerRoster(Vertical):
    """The rows, in order. Adding awaits the new row's mount, so its inputs exist when focused."""

    DEFAULT_CSS = """
    PartnerRoster {
        height: auto;
    }
    """

    def __init__(self, entries: list[PartnerEntry] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        entries = entries or [PartnerEntry(""), PartnerEntry("")]
        self._rows = [
            PartnerRow(number, e.name, join_names(e.sponsors), join_names(e.participants), e.key)
            for number, e in enumerate(entries, start=1)
        ]

    def compose(self) -> ComposeResult:
        yield from self._rows

    def rows(self) -> list[PartnerRow]:
        return list(self._rows)

    def entries(self) -> list[PartnerEntry]:
        return [row.entry() for row in self._rows]

    def row_of(self, widget: Widget | None) -> PartnerRow | None:
        """The row `widget` is in, if it is in one."""
        if widget is None:
            return None
        return next((row for row in self._rows if widget is row or row in widget.ancestors), None)

    @property
    def full(self) -> bool:
        return len(self._rows) >= MAX_PARTNERS

    async def add_row(self) -> PartnerRow | None:
        """A new empty row at the end, focused; None when the roster is full."""
        if self.full:
            return None
        row = PartnerRow(len(self._rows) + 1)
        self._rows.append(row)
        # Awaited: the row's inputs exist only once its mount has finished (querying them from a
        # callback after the next refresh raced the mount and crashed the app with NoMatches).
        await self.mount(row)
        row.query_one(".name", Input).focus()
        row.scroll_visible()
        return row

    async def remove_row(self, row: PartnerRow) -> None:
        """Remove `row`; the focus moves to the row that takes its place (or the one before)."""
        if row not in self._rows:
            return
        index = self._rows.index(row)
        self._rows.remove(row)
        await row.remove()
        for number, other in enumerate(self._rows, start=1):
            other.renumber(number)
        if self._rows:
            self._rows[min(index, len(self._rows) - 1)].query_one(".name", Input).focus()

    def show_problems(self, problems: RosterProblems, shown: Callable[[PartnerRow, str], bool]) -> None:
        """Each row's problem under it, where `shown(row, field)` says it may be shown yet."""
        for index, row in enumerate(self._rows):
            which, message = problems.rows.get(index, ("", ""))
            row.show_error(which, row_message(message) if message and shown(row, which) else "")


class EditsRoster:
    """Mixin for a screen that holds a `PartnerRoster` as `self.roster` and checks itself in
    `revalidate()` (the new-session form, the partners dialog): ctrl+n adds a row, ctrl+r removes one."""

    roster: PartnerRoster

    def revalidate(self) -> None:
        """Show the form's problems again (each screen checks its own fields)."""

    async def action_add_partner(self) -> None:
        if await self.roster.add_row() is None:
            self.notify(f"At most {MAX_PARTNERS} partner organisations.", severity="warning")
        self.refresh_bindings()

    async def action_remove_partner(self, row: PartnerRow | None = None) -> None:
        row = row or self.roster.row_of(self.focused)
        if row is None:
            self.notify("Move to a partner's row first, then press ctrl+r to remove it.", timeout=4)
            return
        await self.roster.remove_row(row)
        self.revalidate()
        self.refresh_bindings()
