"""The facilitator's end of remote scoring, without any UI: rounds, polling, merging, publishing.

The app calls `poll()` from a worker thread (file reads only) and `apply()` on the UI thread, which
owns the session. `publish()` rewrites round.json when what participants may see has changed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from facilitator.domain.model import now_iso
from facilitator.remote.merge import BallotInbox, MergeResult, Participant, RawBallot, withdraw_votes
from facilitator.remote.room import (
    RoundState,
    read_round_or_none,
    room_view,
    round_lock,
    start_round_locked,
    write_round,
)
from facilitator.remote.serve import read_serving
from facilitator.storage.atomic import private_folder, sweep_orphans
from facilitator.storage.layout import ROUND_FILE, ballots_dir

if TYPE_CHECKING:
    from facilitator.domain.content import Checklist
    from facilitator.domain.model import Session


@dataclass
class Polled:
    """What a poll found on disk (read in a worker thread, applied on the UI thread)."""

    state: RoundState | None
    ballots: list[RawBallot] = field(default_factory=list)
    serving: dict[str, object] | None = None
    generation: int = 0  # the link's round changes seen when the poll began


class RemoteLink:
    def __init__(self, data_dir: Path, session_id: str) -> None:
        self.data_dir = Path(data_dir)
        self.session_id = session_id
        self.folder = ballots_dir(data_dir, session_id)
        self.inbox = BallotInbox(self.folder)
        self.state: RoundState | None = None
        self.serving: dict[str, object] | None = None
        self._published: dict[str, Any] | None = None
        self._server: subprocess.Popen[bytes] | None = None
        self._swept = False
        # Bumped by every round change made here (new round, close, removal): a poll that began
        # before one is stale and must not put the old round back on screen.
        self._generation = 0
        self._publish_lock = threading.Lock()
        self._publish_sequence = 0
        self._written_sequence = 0

    # -- state --------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """Remote scoring is open: the room's screen shows the code and merges ballots."""
        return self.state is not None and self.state.open

    @property
    def participants(self) -> list[Participant]:
        return sorted(self.inbox.participants.values(), key=lambda p: (p.partner, p.name.casefold()))

    def exists(self) -> bool:
        return (self.folder / ROUND_FILE).exists()

    # -- worker thread --------------------------------------------------------------------------

    def poll(self) -> Polled:
        generation = self._generation
        if not self._swept:
            # Temporary files of participant processes killed mid-write (a closed browser tab).
            sweep_orphans(self.folder)
            self._swept = True
        state = read_round_or_none(self.folder)
        if state is not None and state.session != self.session_id:
            state = None
        if state is not None and state.round != self.inbox.round:
            self.inbox.forget(state.round)  # a new round: every ballot is read afresh
        # A closed round takes no ballots: they are not even read, so none is reported as refused.
        ballots = self.inbox.read_changed() if state is not None and state.open else []
        return Polled(state, ballots, read_serving(self.folder), generation)

    # -- UI thread ------------------------------------------------------------------------------

    def apply(self, polled: Polled, session: Session, checklist: Checklist) -> MergeResult:
        """Take in a poll: adopt a round started elsewhere (by `serve`), merge ballots."""
        if polled.generation != self._generation:
            # Read before a round change made here: its files will be read again on the next poll.
            self.inbox.unsee(item.stem for item in polled.ballots)
            return MergeResult()
        if polled.state is not None and (self.state is None or polled.state.round != self.state.round):
            self.inbox.participants.clear()  # the list is the UI thread's: cleared here, not in poll()
            self._published = None
        if polled.state is not None:
            self.state = self._ours_or(polled.state)
        self.serving = polled.serving
        if self.state is None:
            return MergeResult()
        return self.inbox.merge(session, checklist, self.state, polled.ballots)

    def sync(self, session: Session, checklist: Checklist) -> MergeResult:
        """Read and merge now, on the calling thread: before a reveal, a close or a new round, so a
        score sent in the last second is counted rather than lost."""
        # A worker's poll still in flight read older files: it is dropped (and its files read again),
        # so it cannot put an older vote back over what is merged here.
        self._generation += 1
        return self.apply(self.poll(), session, checklist)

    def _ours_or(self, state: RoundState) -> RoundState:
        # round.json also carries our published view; the round number, code, open flag and
        # removals are what another process (serve) may have changed.
        if self.state is not None and self.state.round == state.round:
            self.state.code, self.state.open, self.state.closed_at = state.code, state.open, state.closed_at
            self.state.removed = state.removed
            return self.state
        return state

    def start_round(self, session: Session, checklist: Checklist) -> tuple[RoundState, MergeResult]:
        """A new round with a new code. The earlier round's last ballots are merged first, then put
        aside in round-N/ so they are neither merged nor refused again."""
        merged = self.sync(session, checklist) if self.active else MergeResult()
        with round_lock(self.folder):
            state = start_round_locked(self.folder, session, read_round_or_none(self.folder))
        self._generation += 1
        self.state = state
        self.inbox.forget(state.round)
        self.inbox.participants.clear()
        self._published = None
        return state, merged

    def close_round(self, session: Session, checklist: Checklist) -> MergeResult:
        """Close the round: ballots merged up to now count, later ones are refused."""
        if self.state is None:
            return MergeResult()
        merged = self.sync(session, checklist)
        with round_lock(self.folder):
            current = read_round_or_none(self.folder)
            if current is None or current.round != self.state.round:
                return merged
            current.open = False
            current.closed_at = now_iso()
            write_round(self.folder, current)
        self._generation += 1
        self.state.open = False
        self.state.closed_at = current.closed_at
        self._published = None
        return merged

    def remove_participant(self, session: Session, participant: str) -> set[str]:
        """Take a person out of the round (joined by mistake, or not who they said): their votes on
        points not yet revealed are withdrawn and their ballots refused from now on. Returns the
        points whose scores changed."""
        if self.state is None:
            return set()
        with round_lock(self.folder):
            current = read_round_or_none(self.folder)
            if current is not None and current.round == self.state.round and participant not in current.removed:
                current.removed.append(participant)
                write_round(self.folder, current)
        if participant not in self.state.removed:
            self.state.removed.append(participant)
        self._generation += 1
        self.inbox.participants.pop(participant, None)
        self._published = None
        return withdraw_votes(session, participant)

    def view(self, session: Session, checklist: Checklist) -> RoundState | None:
        """What participants should see now, or None when nothing has changed since it was published."""
        if self.state is None:
            return None
        view = room_view(session, checklist, self.state)
        data = view.to_dict()
        if data == self._published:
            return None
        self._published = data
        self._publish_sequence += 1
        view.sequence = self._publish_sequence
        return view

    def publish(self, view: RoundState) -> None:
        """Write the view (from a worker thread: it fsyncs), unless the round changed meanwhile or a
        newer view was written first (two workers may finish out of order)."""
        with self._publish_lock:
            if view.sequence and view.sequence <= self._written_sequence:
                return
            with round_lock(self.folder):
                current = read_round_or_none(self.folder)
                if current is None or current.round != view.round or current.session != view.session:
                    return
                view.open, view.code, view.closed_at = current.open, current.code, current.closed_at
                view.removed = current.removed
                try:
                    write_round(self.folder, view)
                except OSError:
                    self._published = None  # not written: the next change publishes again
                    raise
            self._written_sequence = max(self._written_sequence, view.sequence)

    # -- the serving process, when the facilitator starts it from the app ----------------------

    def start_server(self, port: int) -> None:
        if self._server is not None and self._server.poll() is None:
            return
        private_folder(self.folder, parents=True)
        log = os.fdopen(os.open(self.folder / "serve.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        try:
            self._server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "facilitator",
                    "--data-dir",
                    str(self.data_dir),
                    "serve",
                    self.session_id,
                    "--port",
                    str(port),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()

    @property
    def server_running(self) -> bool:
        return self._server is not None and self._server.poll() is None

    def server_problem(self) -> str:
        """The last line of serve.log, when the server we started has stopped."""
        if self._server is None or self._server.poll() is None:
            return ""
        try:
            lines = (self.folder / "serve.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return "the server stopped"
        return lines[-1] if lines else "the server stopped"

    def stop_server(self, timeout: float = 5.0) -> None:
        """End the serving process and its process group: SIGTERM, then SIGKILL after `timeout`.

        It stays known until it has ended, so a second call (the exit guard's, from its thread, while
        the screen's own call is still waiting) ends it within its own, shorter, timeout."""
        server = self._server
        if server is None:
            return
        if server.poll() is None:
            # The server runs in its own process group with one participant process per browser: end them all.
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=timeout)
            except (OSError, subprocess.TimeoutExpired):
                try:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait(timeout=1.0)
                except (OSError, subprocess.TimeoutExpired):
                    pass
        if server.poll() is not None and self._server is server:
            self._server = None


def free_port(start: int = 8000, tries: int = 50) -> int:
    import socket

    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError(f"no free port between {start} and {start + tries - 1}")
