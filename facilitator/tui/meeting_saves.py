"""When the open meeting is written, and where its work goes when the data folder cannot take it.

The meeting screen owns one `MeetingSaves`. An edit schedules a snapshot (`session.to_dict()`),
taken on the UI thread shortly after the last edit and handed to the `Autosaver`, which writes it
off the event loop. Quitting, closing the session, SIGTERM and SIGHUP all go through `save_now()`,
the exit guard's thread through `save_for_exit()`; when neither reaches the disk, the app asks for
a rescue copy (`write_rescue_copy`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from textual.message_pump import MessagePump
from textual.timer import Timer

from facilitator.domain.model import Session
from facilitator.storage.autosave import Autosaver, SaveStatus
from facilitator.storage.open_session import OpenSession

SAVE_DELAY = 0.4  # seconds after the last edit before a snapshot is taken (typing stays smooth)


class MeetingSaves:
    """The saves of one open session: one snapshot per burst of edits, synchronous saves at exit,
    and the session's lock given back once its last save is on disk.

    `timers` is what the snapshot timer runs on (the screen: its timers end with it); `on_status`
    is called from the saving thread with each `SaveStatus`.
    """

    def __init__(self, opened: OpenSession, timers: MessagePump, on_status: Callable[[SaveStatus], None]) -> None:
        self.opened = opened
        self._timers = timers
        self._on_status = on_status
        self.autosaver: Autosaver | None = None
        self.closed = False
        self._timer: Timer | None = None
        self._edits = 0  # edits seen, and how many of them the last snapshot covered
        self._edits_submitted = 0
        # Taking a snapshot and writing it happen together, so that of two saves (the event loop's
        # and the exit guard's thread) the later one always writes the newer state.
        self._lock = threading.RLock()

    @property
    def session(self) -> Session:
        return self.opened.session

    @property
    def last_error(self) -> str:
        return self.autosaver.last_error if self.autosaver else "Not saved."

    def start(self) -> None:
        """Start the saving thread (once the screen is mounted and can show its status)."""
        self.autosaver = Autosaver(self.opened, on_status=self._on_status)

    def schedule(self) -> bool:
        """Save shortly after the last edit: one snapshot per burst of typing. False once closed."""
        if self.closed:
            return False
        self._edits += 1
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._timers.set_timer(SAVE_DELAY, self._submit_snapshot)
        return True

    def _submit_snapshot(self) -> None:
        self._timer = None
        if self.autosaver is not None and not self.closed:
            self._edits_submitted = self._edits
            self.autosaver.submit(self.session.to_dict())

    def catch_up(self) -> None:
        """Safety net: an edit that no snapshot has covered yet gets one (at most a second late)."""
        if self._edits != self._edits_submitted and not self.closed:
            self._submit_snapshot()

    def save_now(self, close: bool = False) -> bool:
        """Write the current state synchronously. Idempotent; safe to call twice while closing."""
        if self.closed or self.autosaver is None:
            return True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        with self._lock:
            if self.closed:
                return True
            ok = self.autosaver.flush(self.session.to_dict())
            if close:
                self._close(ok)
        return ok

    def save_for_exit(self) -> bool:
        """Write the current state from any thread: the exit guard calls this while the event loop
        may be stuck on a dead terminal. True when the room's work is on disk. The session stays
        open: if the event loop is only slow, its own later save writes what it handled since."""
        with self._lock:
            if self.autosaver is None:
                return True
            if self.closed:
                return not self.autosaver.dirty
            for _attempt in range(5):  # the loop may be changing the session this very moment
                try:
                    document = self.session.to_dict()
                except RuntimeError:
                    continue
                return self.autosaver.flush(document)
            return self.autosaver.flush()

    def _close(self, saved: bool) -> None:
        self.closed = True
        self.autosaver.stop()
        if saved:
            self.opened.close()
        # When the last save failed the lock is kept: the file on disk is not the room's work.

    def reopen(self) -> None:
        """Keep working after a close whose save failed: nothing is lost, saving is retried."""
        self.closed = False
        self.start()
        self.autosaver.submit(self.session.to_dict())

    def write_rescue_copy(self) -> Path | None:
        """Dump the session, as `facilitator dump` would, where it can be written. None if saved."""
        if self.autosaver is not None and not self.autosaver.dirty:
            return None
        return write_rescue_copy(self.session)


def write_rescue_copy(session: Session) -> Path | None:
    """The whole session as JSON in the user's rescue folder; None when that cannot be written either."""
    import json
    from datetime import datetime

    from facilitator.storage import rescue
    from facilitator.storage.atomic import atomic_write_text, private_folder

    folder = rescue.rescue_folder()
    path = folder / f"{session.id}-{datetime.now():%Y%m%d-%H%M%S}.json"
    try:
        private_folder(folder, parents=True)  # the whole session, in a folder every user can see
        atomic_write_text(path, json.dumps(session.to_dict(), ensure_ascii=False, indent=2) + "\n")
    except OSError:
        return None
    return path
