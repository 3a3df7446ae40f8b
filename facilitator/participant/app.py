"""The participant app: join the round, then score. One process per browser connection."""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from facilitator.domain.content import load_checklist
from facilitator.participant.ballot_screen import BallotScreen
from facilitator.participant.join import JoinScreen
from facilitator.participant.participant_screen import ParticipantScreen
from facilitator.remote.ballots import Ballot
from facilitator.remote.room import RoundState, RoundUnreadable, read_round
from facilitator.storage.layout import ROUND_FILE, ballots_dir
from facilitator.tui.control_filter import ControlCharacterFilter
from facilitator.tui.textual_compat import add_line_filter, decode_terminal_input_leniently

ROUND_POLL = 1.0  # seconds: how often the round file is checked for the room's point and reveals


class ParticipantApp(App):
    CSS_PATH = "participant.tcss"
    TITLE = "Partnership health check"
    ENABLE_COMMAND_PALETTE = False  # a participant has one job; the facilitator's palette is not theirs
    BINDINGS = [Binding("ctrl+q", "quit", "Leave", show=False, priority=True)]

    def __init__(self, data_dir: Path, session_id: str, peer: str = "local") -> None:
        super().__init__()
        self.folder = ballots_dir(data_dir, session_id)
        self.session_id = session_id
        self.peer = peer
        self.state: RoundState | None = None
        self.problem = ""
        self.ballot: Ballot | None = None
        self.pin = ""  # shown once joined, so the person can rejoin after a dropped connection
        self._round_stamp: tuple[int, int] | None = None
        add_line_filter(self, ControlCharacterFilter())  # no escape sequence from a file reaches the browser's terminal
        decode_terminal_input_leniently()  # a byte that is not UTF-8 is read as U+FFFD, not a crash

    @property
    def checklist(self):
        return load_checklist(self.state.checklist_version if self.state else 1)

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.read_round()
        self.push_screen(JoinScreen())
        self.set_interval(ROUND_POLL, self.poll_round)

    def read_round(self) -> bool:
        """Read round.json if it changed. Returns True when the state changed."""
        path = self.folder / ROUND_FILE
        try:
            st = os.stat(path)
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        if stamp is not None and stamp == self._round_stamp:
            return False
        self._round_stamp = stamp
        try:
            state = read_round(self.folder)
        except RoundUnreadable as error:
            self.state, self.problem = None, str(error)
            return True
        if state.session != self.session_id:
            self.state, self.problem = None, "the round file belongs to another session"
            return True
        self.state, self.problem = state, ""
        return True

    def on_join_screen_joined(self) -> None:
        self.switch_screen(BallotScreen())

    def on_ballot_screen_round_left(self, message: BallotScreen.RoundLeft) -> None:
        self.switch_screen(JoinScreen(message.message))

    def poll_round(self) -> None:
        if self.read_round():
            if isinstance(self.screen, ParticipantScreen):
                self.screen.round_changed()

    def _handle_exception(self, error: Exception) -> None:
        # A participant's page must not end in a traceback: their ballot is already on disk, so say
        # so and let them reload.
        from facilitator.remote.ballots import ballot_path

        saved = self.ballot is not None and ballot_path(self.folder, self.ballot.participant).exists()
        self.exit(
            return_code=1,
            message=(
                "Something went wrong on this page. "
                + ("Your scores are saved. " if saved else "")
                + "Reload the page to continue."
            ),
        )
