"""Autosave: the newest snapshot of a session reaches disk off the UI thread, in order, with retries.

The UI takes a snapshot (`Session.to_dict()`, on its own thread so nothing changes underneath) and
`submit`s it. One background thread writes the newest snapshot it has; older ones that were
overtaken are skipped, so a slow disk never writes an old state over a newer one. A failed save
(disk full, folder read-only or gone) keeps the snapshot, reports the problem and retries until it
succeeds or a newer snapshot replaces it. `flush()` writes synchronously, for quit and signals.

Pure Python (threading): testable without Textual.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from facilitator.base.errors import FacilitatorError
from facilitator.domain.formatting import format_clock
from facilitator.domain.records import record

RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0)  # seconds between retries after a failed save


class Saver(Protocol):
    def save(self, document: dict[str, Any] | None = None) -> str: ...


@record(frozen=True)
class SaveStatus:
    """What the autosaver last did, as the footer shows it."""

    state: str  # "saved" | "saving" | "failed" | "idle"
    saved_at: str = ""  # HH:MM:SS of the last successful save
    message: str = ""  # for "failed": what went wrong
    pending: bool = False  # a change is not on disk yet


class Autosaver:
    def __init__(self, saver: Saver, on_status: Callable[[SaveStatus], None] | None = None) -> None:
        self._saver = saver
        self._on_status = on_status or (lambda status: None)
        self._condition = threading.Condition()
        self._pending: dict[str, Any] | None = None
        self._generation = 0  # of the newest snapshot submitted
        self._written = 0  # generation of the newest snapshot on disk
        self._write_lock = threading.Lock()  # one write at a time, from the thread or from flush()
        self._stopped = False
        self._failures = 0
        self.last_saved_at = ""
        self.last_error = ""
        self._thread = threading.Thread(target=self._run, name="autosave", daemon=True)
        self._thread.start()

    # -- called from the UI thread ------------------------------------------------------------

    def submit(self, document: dict[str, Any]) -> None:
        with self._condition:
            self._generation += 1
            self._pending = document
            self._condition.notify()
        self._report("saving")

    @property
    def dirty(self) -> bool:
        with self._condition:
            return self._written < self._generation

    def flush(self, document: dict[str, Any] | None = None, timeout: float = 5.0) -> bool:
        """Write the newest snapshot (or `document`) now, in the calling thread. True when on disk."""
        if document is not None:
            with self._condition:
                self._generation += 1
                self._pending = document
                self._condition.notify()  # if this write fails, the thread retries it
        if not self._write_lock.acquire(timeout=timeout):
            return False
        try:
            return self._write_newest()
        finally:
            self._write_lock.release()

    def stop(self, timeout: float = 5.0) -> bool:
        """Flush what is pending, then end the thread. Idempotent. True when everything is on disk."""
        ok = self.flush(timeout=timeout) if self.dirty else True
        with self._condition:
            self._stopped = True
            self._condition.notify()
        return ok

    # -- the background thread ----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._stopped and self._pending is None:
                    self._condition.wait()
                if self._stopped:
                    return
            with self._write_lock:
                ok = self._write_newest()
            if not ok:
                delay = RETRY_DELAYS[min(self._failures - 1, len(RETRY_DELAYS) - 1)]
                with self._condition:
                    # Wake early when a newer snapshot arrives or we are stopped; then retry.
                    self._condition.wait(timeout=delay)

    def _write_newest(self) -> bool:
        with self._condition:
            document, generation = self._pending, self._generation
        if document is None:
            return True
        try:
            stamp = self._saver.save(document)
        except FacilitatorError as error:
            self._failures += 1
            self.last_error = str(error)
            self._report("failed")
            return False
        except OSError as error:
            self._failures += 1
            self.last_error = f"Could not save: {error.strerror or error}."
            self._report("failed")
            return False
        except Exception as error:  # noqa: BLE001  the saver thread must outlive any fault: the room is told
            self._failures += 1
            self.last_error = f"Could not save ({type(error).__name__}); the work is kept in memory."
            self._report("failed")
            return False
        self._failures = 0
        self.last_error = ""
        # The time of this save, read from its stamp (now, should the stamp not be one).
        self.last_saved_at = format_clock(stamp) or datetime.now().strftime("%H:%M:%S")
        with self._condition:
            self._written = max(self._written, generation)
            if self._generation == generation:
                self._pending = None
        self._report("saved")
        return True

    def _report(self, state: str) -> None:
        status = SaveStatus(state=state, saved_at=self.last_saved_at, message=self.last_error, pending=self.dirty)
        try:
            self._on_status(status)
        except Exception:  # noqa: BLE001 - a status display must never stop saving
            pass
