"""Remote scoring as the open meeting runs it: the participants' ballots read off the event loop
about once a second, and the view they see written off it after each change.

The meeting screen owns one `MeetingRemote`, made once it is mounted. What a poll read comes back
to the screen as `MeetingRemote.BallotsRead`: merging it edits the open session, which only the UI
thread does, and the screen shows what changed.
"""

from __future__ import annotations

from functools import partial

from textual.message import Message
from textual.screen import Screen

from facilitator.remote.link import Polled, RemoteLink
from facilitator.remote.merge import MergeResult
from facilitator.remote.room import RoundState
from facilitator.tui.meeting_context import MeetingContext

REMOTE_POLL = 1.0  # seconds between looks at participants' ballots (one folder listing when idle)


class MeetingRemote:
    """The open session's link to the participants' files, and the threads that read and write them.
    The workers run on `screen` (exclusive per screen, ended with it) and post their results to it."""

    class BallotsRead(Message):
        def __init__(self, polled: Polled) -> None:
            super().__init__()
            self.polled = polled

    class Problem(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, link: RemoteLink, screen: Screen, context: MeetingContext) -> None:
        self.link = link
        self._screen = screen
        self._context = context

    def poll(self) -> None:
        """Read the ballots in a thread. Nothing is read until remote scoring is started for this
        session: until then a poll only looks whether it has been."""
        if self.link.state is not None or self.link.exists():
            self._screen.run_worker(
                self._read, name="read_remote", group="remote-poll", exclusive=True, thread=True, exit_on_error=False
            )

    def _read(self) -> None:
        self._screen.post_message(self.BallotsRead(self.link.poll()))

    def merge(self, polled: Polled) -> MergeResult:
        """What a poll read, merged into the open session (on the UI thread)."""
        return self.link.apply(polled, self._context.session, self._context.checklist)

    def publish(self) -> None:
        """Write what participants see now, in a thread; only when it changed since the last time."""
        if self.link.state is None:
            return
        view = self.link.view(self._context.session, self._context.checklist)
        if view is not None:
            self._screen.run_worker(
                partial(self._write_view, view),
                name="write_remote_view",
                group="remote-publish",
                exclusive=False,
                thread=True,
                exit_on_error=False,
            )

    def _write_view(self, view: RoundState) -> None:
        try:
            self.link.publish(view)
        except OSError as error:
            self._screen.post_message(self.Problem(f"Participants' view not updated: {error.strerror or error}"))

    def before_reveal(self, revealing: bool) -> bool:
        """Just before the health check's R. Revealing: merge what participants sent up to now, so a
        score sent in the last second counts. Hiding again: read every ballot afresh on the next
        poll, so a change sent while the point was revealed (and left out) is taken. True when the
        scores changed."""
        if not self.link.active:
            return False
        if not revealing:
            self.link.inbox.forget(self.link.inbox.round)
            return False
        return self.link.sync(self._context.session, self._context.checklist).changed
