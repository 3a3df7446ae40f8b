"""Joining: the round's code, the person's organisation and name."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from ..errors import InvalidInput
from ..remote import codes
from ..remote.ballots import (Ballot, clean_participant_name, new_pin, participant_id, pin_hash, pin_matches,
                              read_ballot, write_ballot)
from ..remote.ratelimit import JoinLimiter


JOIN_IDLE_SECONDS = 15 * 60


class JoinScreen(Screen):
    def __init__(self, message: str = "") -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Center():
            with Vertical(id="join-box"):
                yield Static("", id="join-title")
                yield Static("Ask the facilitator for the join code shown on the room's screen.",
                             id="join-intro")
                yield Label("Join code", classes="field-label")
                yield Input(placeholder="ABC-123", id="join-code", max_length=20)
                yield Label("Your organisation", classes="field-label")
                # Built with its buttons, so the first is highlighted at once for keyboard users.
                state = self.app.state
                yield RadioSet(*(name for _key, name in (state.partners if state else [])), id="join-partner")
                yield Label("Your name", classes="field-label")
                yield Input(placeholder="as the room knows you", id="join-name", max_length=80)
                yield Label("Your PIN", classes="field-label", id="join-pin-label")
                yield Input(placeholder="the 4 digits shown when you first joined", id="join-pin", max_length=4,
                            restrict=r"[0-9]*", password=True)
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
            self._error(f"Scoring from your device is not open: {self.app.problem}. "
                        "This page updates by itself when the facilitator opens it.")
            partners.display = False
            return
        title.update(f"[b]{_escape(state.alliance)}[/b]\nPartnership health check, round {state.round}")
        names = [name for _key, name in state.partners]
        shown = [str(button.label) for button in partners.query(RadioButton)]
        if shown != names:
            partners.remove_children()
            partners.mount_all(RadioButton(name) for name in names)
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
        partner_key = state.partners[chosen][0]
        existing = self._existing(partner_key, name)
        pin = self.query_one("#join-pin", Input).value
        typed_code = self.query_one("#join-code", Input).value

        def correct() -> bool:
            # The code and, for a name already taken, that person's PIN: both count as one try.
            return codes.matches(typed_code, state.code) and (existing is None or pin_matches(existing, pin))

        accepted, verdict = JoinLimiter(self.app.folder, self.app.peer).attempt(correct)
        if not accepted:
            self._refused(state, existing, typed_code, pin, verdict)
            return
        ballot, new_pin_value = existing, ""
        if ballot is None:
            new_pin_value = new_pin()
            participant = participant_id(partner_key, name)
            ballot = Ballot(participant=participant, partner=partner_key, name=name, round=state.round,
                            code=state.code, pin_hash=pin_hash(participant, new_pin_value))
        try:
            write_ballot(self.app.folder, ballot)
        except OSError as error:
            self._error(f"Your ballot could not be recorded on the server ({error.strerror or error}). "
                        "Tell the facilitator.")
            return
        self.app.ballot = ballot
        self.app.pin = new_pin_value or pin.strip()
        from .ballot_screen import BallotScreen

        self.app.switch_screen(BallotScreen())

    def _refused(self, state, existing, typed_code: str, pin: str, verdict) -> None:
        wait = "" if verdict.allowed else f" Wait {int(verdict.wait) + 1} seconds before trying again."
        if not verdict.allowed and codes.matches(typed_code, state.code) and (existing is None or pin):
            self._error(f"Too many wrong tries from this connection.{wait}")
        elif not codes.matches(typed_code, state.code):
            self._error("That code is not the one on the room's screen." + wait)
            self.query_one("#join-code", Input).focus()
        elif not pin:
            self._ask_pin(existing)
        else:
            self._error("That PIN is not right: it is the one shown when you first joined." + wait)
            self.query_one("#join-pin", Input).focus()

    def _ask_pin(self, existing) -> None:
        self.query_one("#join-pin-label").display = True
        pin = self.query_one("#join-pin", Input)
        pin.display = True
        pin.focus()
        self._error(f"{existing.name} has already joined for this organisation. If that is you, type the PIN "
                    "you were shown when you joined; if not, add an initial to your name so the room can "
                    "tell you apart.")

    def _existing(self, partner_key: str, name: str) -> Ballot | None:
        """The ballot of someone who joined this round under that organisation and name, if any."""
        return read_ballot(self.app.folder, participant_id(partner_key, name), self.app.state,
                           self.app.checklist, partner_key)

    def _error(self, text: str) -> None:
        error = self.query_one("#join-error", Static)
        error.update(text)
        error.set_class(bool(text), "-problem")


def _escape(text: str) -> str:
    from textual.markup import escape

    return escape(text)
