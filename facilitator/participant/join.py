"""Joining: the round's code, the person's organisation and name."""

from __future__ import annotations

import time

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from facilitator.base.errors import InvalidInput
from facilitator.participant.participant_screen import ParticipantScreen
from facilitator.remote.ballots import clean_participant_name
from facilitator.remote.joining import NEED_PIN, NOT_SAVED, OLD_PIN, WRONG_CODE, WRONG_PIN, JoinOutcome, try_join
from facilitator.tui.widgets.toggles import StateRadioButton

JOIN_IDLE_SECONDS = 15 * 60
PIN_EXAMPLE = "like ABCD-EFGH"


class JoinScreen(ParticipantScreen):
    class Joined(Message):
        """The participant has joined the round: `app.ballot` and `app.pin` are theirs now."""

    def __init__(self, message: str = "") -> None:
        super().__init__()
        self.message = message
        self.checking = False  # a try is being checked (off the UI thread)
        self.retry_at = 0.0  # monotonic time before which this page checks no try (after a wrong one)

    def compose(self) -> ComposeResult:
        with Center():
            with Vertical(id="join-box"):
                yield Static("", id="join-title")
                yield Static("Ask the facilitator for the join code shown on the room's screen.", id="join-intro")
                yield Label("Join code", classes="field-label")
                yield Input(placeholder="ABC-123", id="join-code", max_length=20)
                yield Label("Your organisation", classes="field-label")
                # Built with its buttons, so the first is highlighted at once for keyboard users.
                state = self.app.state
                # Buttons, not strings: RadioSet reads a string as markup, and partners name themselves.
                yield RadioSet(
                    *(StateRadioButton(Content(name)) for _key, name in (state.partners if state else [])),
                    id="join-partner",
                )
                yield Label("Your name", classes="field-label")
                yield Input(placeholder="as the room knows you", id="join-name", max_length=80)
                yield Label("Your PIN", classes="field-label", id="join-pin-label")
                yield Input(
                    placeholder=f"shown when you first joined, {PIN_EXAMPLE}",
                    id="join-pin",
                    max_length=20,
                    restrict=r"[A-Za-z0-9 -]*",
                    password=True,
                )
                yield Button("Join", id="join-button", variant="primary")
                yield Static(self.message, id="join-error")

    def on_mount(self) -> None:
        self.query_one("#join-pin-label").display = False
        self.query_one("#join-pin", Input).display = False
        self.round_changed()
        self.query_one("#join-code", Input).focus()
        # Each open page is a process on the facilitator's computer: one left on this screen ends.
        self.set_timer(JOIN_IDLE_SECONDS, self._idle)

    def _idle(self) -> None:
        self.app.exit(message="This page waited too long to join. Reload it to try again.")

    def round_changed(self) -> None:
        state = self.app.state
        title = self.query_one("#join-title", Static)
        partners = self.query_one("#join-partner", RadioSet)
        if state is None:
            title.update("[b]Partnership health check[/b]")
            self._error(
                f"Scoring from your device is not open: {self.app.problem}. "
                "This page updates by itself when the facilitator opens it."
            )
            partners.display = False
            return
        # Content built from parts, not escaped markup: escaping misreads a name holding "\[b]".
        title.update(Content.assemble((state.alliance, "bold"), f"\nPartnership health check, round {state.round}"))
        names = [name for _key, name in state.partners]
        shown = [str(button.label) for button in partners.query(RadioButton)]
        if shown != names:
            partners.remove_children()
            partners.mount_all(StateRadioButton(Content(name)) for name in names)  # a name is never markup
        partners.display = True
        if not state.open:
            self._error("The facilitator has closed this round. Wait for a new round and its code.")
        elif self.query_one("#join-error", Static).has_class("-problem") and not self.message:
            self._error("")

    @on(Input.Submitted, "#join-code")
    def _code_entered(self) -> None:
        self.query_one("#join-partner", RadioSet).focus()

    @on(RadioSet.Changed, "#join-partner")
    def _partner_chosen(self) -> None:
        self.query_one("#join-name", Input).focus()  # Enter on a name, then Enter joins

    @on(Input.Submitted, "#join-name")
    @on(Input.Submitted, "#join-pin")
    @on(Button.Pressed, "#join-button")
    def join(self) -> None:
        if self.checking:
            return  # one try at a time: Enter pressed twice is one try
        self.app.read_round()
        state = self.app.state
        if state is None or not state.open:
            self.round_changed()
            return
        chosen = self.query_one("#join-partner", RadioSet).pressed_index
        if chosen < 0 or chosen >= len(state.partners):
            self._error("Choose your organisation.")
            self.query_one("#join-partner", RadioSet).focus()
            return
        try:
            name = clean_participant_name(self.query_one("#join-name", Input).value)
        except InvalidInput as error:
            self._error(str(error))
            self.query_one("#join-name", Input).focus()
            return
        wait = self.retry_at - time.monotonic()
        if wait > 0:
            # This page tried a wrong code or PIN past the limits: it checks nothing until the wait ends.
            self._error(f"Too many wrong tries. Wait {int(wait) + 1} seconds before trying again.")
            return
        self.checking = True
        self.query_one("#join-button", Button).disabled = True
        self._check(
            state,
            state.partners[chosen][0],
            name,
            self.query_one("#join-code", Input).value,
            self.query_one("#join-pin", Input).value,
        )

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _check(self, state, partner_key: str, name: str, typed_code: str, typed_pin: str) -> None:
        """Check the code and PIN off the UI thread (a PIN check is slow on purpose), then report back."""
        try:
            outcome = try_join(
                self.app.folder, self.app.peer, state, self.app.checklist, partner_key, name, typed_code, typed_pin
            )
        except Exception as error:  # noqa: BLE001 - said on the page; the person may try again
            outcome = JoinOutcome(problem=NOT_SAVED, detail=str(error) or type(error).__name__)
        self.app.call_from_thread(self._checked, outcome)

    def _checked(self, outcome: JoinOutcome) -> None:
        self.checking = False
        self.query_one("#join-button", Button).disabled = False
        if outcome.wait > 0:
            self.retry_at = time.monotonic() + outcome.wait
        if outcome.ballot is not None:
            self.app.ballot = outcome.ballot
            self.app.pin = outcome.pin
            self.post_message(self.Joined())  # the app shows the ballot
            return
        wait = f" Wait {int(outcome.wait) + 1} seconds before trying again." if outcome.wait > 0 else ""
        if outcome.problem == WRONG_CODE:
            self._error("That code is not the one on the room's screen." + wait)
            self.query_one("#join-code", Input).focus()
        elif outcome.problem == NEED_PIN:
            self._ask_pin(outcome.existing_name)
        elif outcome.problem == WRONG_PIN:
            self._error(f"That PIN is not right: it is the one shown when you first joined ({PIN_EXAMPLE})." + wait)
            self.query_one("#join-pin", Input).focus()
        elif outcome.problem == OLD_PIN:
            self._error(
                f"{outcome.existing_name} joined with an older version of this page, whose PIN can no "
                "longer be checked. Add an initial to your name to join again, and ask the facilitator "
                "to take the old entry out of the round."
            )
        else:
            self._error(f"Your ballot could not be recorded on the server ({outcome.detail}). Tell the facilitator.")

    def _ask_pin(self, existing_name: str) -> None:
        self.query_one("#join-pin-label").display = True
        pin = self.query_one("#join-pin", Input)
        pin.display = True
        pin.focus()
        self._error(
            f"{existing_name} has already joined for this organisation. If that is you, type the PIN "
            "you were shown when you joined; if not, add an initial to your name so the room can "
            "tell you apart."
        )

    def _error(self, text: str) -> None:
        error = self.query_one("#join-error", Static)
        error.update(Content(text))  # it quotes the name a participant typed
        error.set_class(bool(text), "-problem")
