"""Joining: the round's code, the person's organisation and name."""

from __future__ import annotations

import json

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from ..errors import InvalidInput
from ..remote import codes
from ..remote.ballots import (Ballot, BallotRefused, ballot_path, clean_participant_name, decode_ballot,
                              participant_id, validate_ballot, write_ballot)
from ..remote.ratelimit import JoinLimiter


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
                yield Button("Join", id="join-button", variant="primary")
                yield Static(self.message, id="join-error")

    def on_mount(self) -> None:
        self.round_changed()
        self.query_one("#join-code", Input).focus()

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
    @on(Button.Pressed, "#join-button")
    def join(self) -> None:
        self.app.read_round()
        state = self.app.state
        if state is None or not state.open:
            self.round_changed()
            return
        limiter = JoinLimiter(self.app.folder, self.app.peer)
        verdict = limiter.check()
        if not verdict.allowed:
            self._error(f"Too many wrong codes from this connection. Try again in {int(verdict.wait) + 1} seconds.")
            return
        if not codes.matches(self.query_one("#join-code", Input).value, state.code):
            verdict = limiter.record_failure()
            wait = "" if verdict.allowed else f" Wait {int(verdict.wait) + 1} seconds before trying again."
            self._error("That code is not the one on the room's screen." + wait)
            self.query_one("#join-code", Input).focus()
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
        limiter.record_success()
        partner_key = state.partners[chosen][0]
        ballot = self._resume(partner_key, name) or Ballot(
            participant=participant_id(partner_key, name), partner=partner_key, name=name,
            round=state.round, code=state.code)
        try:
            write_ballot(self.app.folder, ballot)
        except OSError as error:
            self._error(f"Your ballot could not be recorded on the server ({error.strerror or error}). "
                        "Tell the facilitator.")
            return
        self.app.ballot = ballot
        from .ballot_screen import BallotScreen

        self.app.switch_screen(BallotScreen())

    def _resume(self, partner_key: str, name: str) -> Ballot | None:
        """The person's own ballot of this round, if they joined before (a dropped connection)."""
        state = self.app.state
        stem = participant_id(partner_key, name)
        try:
            raw = ballot_path(self.app.folder, stem).read_bytes()
            return validate_ballot(decode_ballot(raw), stem, state, self.app.checklist, {partner_key})
        except (OSError, BallotRefused, json.JSONDecodeError):
            return None

    def _error(self, text: str) -> None:
        error = self.query_one("#join-error", Static)
        error.update(text)
        error.set_class(bool(text), "-problem")


def _escape(text: str) -> str:
    from textual.markup import escape

    return escape(text)
