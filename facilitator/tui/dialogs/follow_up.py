"""Start a follow-up review: what carries over, and the review's date (prefilled, checked).

Dismisses with the chosen date (YYYY-MM-DD), or None when cancelled. The date must be later than
the session followed (the same rule as `facilitator new --follows ID --date`), or the history
would compare a day with itself.
"""

from __future__ import annotations

from datetime import date as Date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from facilitator.base.errors import InvalidInput
from facilitator.domain.session_factory import follow_up_date, suggested_follow_up_date


class FollowUpScreen(ModalScreen[str | None]):
    """A small dialog: Enter (or the button) starts the review on the date shown, escape cancels."""

    CSS_PATH = "follow_up.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, alliance: str, previous_date: str, today: Date | None = None) -> None:
        super().__init__()
        self.alliance = alliance
        self.previous_date = previous_date
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Start a follow-up review?", id="title")
            yield Static(
                Text(
                    f"A new review of {self.alliance}, following the session of {self.previous_date}.\n\n"
                    "Partners, sponsors, the agreement draft, measures, roles, work plan and open actions "
                    "carry over; scores and notes start blank. Sections agreed last time are marked "
                    "for the room to re-confirm."
                ),
                id="text",
            )
            yield Label("Date of the review (YYYY-MM-DD)", classes="field-label")
            yield Input(suggested_follow_up_date(self.previous_date, self.today), id="date")
            yield Label("", id="date-error")
            with Horizontal(id="buttons"):
                yield Button("Start review (enter)", id="start", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#date-error", Label).display = False
        self.query_one("#date", Input).focus()

    def problem(self) -> str:
        try:
            follow_up_date(self.previous_date, self.query_one("#date", Input).value, self.today)
        except InvalidInput as error:
            return str(error)
        return ""

    def _show(self, message: str) -> None:
        error = self.query_one("#date-error", Label)
        error.update(Text(message))  # it quotes what was typed: never markup
        error.display = bool(message)
        self.query_one("#date", Input).set_class(bool(message), "-invalid")

    @on(Input.Changed, "#date")
    def _changed(self) -> None:
        if self.query_one("#date-error", Label).display:
            self._show(self.problem())  # a shown problem goes as soon as it is fixed

    @on(Input.Submitted, "#date")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "start":
            self.action_start()
        else:
            self.action_cancel()

    def action_start(self) -> None:
        message = self.problem()
        self._show(message)
        if message:
            self.query_one("#date", Input).focus()
            self.app.bell()
            return
        self.dismiss(follow_up_date(self.previous_date, self.query_one("#date", Input).value, self.today))

    def action_cancel(self) -> None:
        self.dismiss(None)
