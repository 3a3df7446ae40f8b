"""Closing the terminal or `kill` ends the process, with the room's work on disk first.

Textual's own shutdown writes to the terminal through a queue that a dead terminal never empties:
after a hangup the process could block there forever, holding the session's lock. So the exit
after SIGHUP or SIGTERM does not depend on Textual finishing. The signal handler only starts a
guard thread, which:

1. when the terminal is gone, lets the app's writes to it go nowhere (`terminal_gone()`), so that its
   event loop runs on; then asks the app to save and exit in the ordinary way (on its event loop, after the keys already
   typed have been handled);
2. if the app has not reported the work saved when its event loop stops answering (stuck, for
   example writing to the dead terminal) or after `SAVE_WAIT` (a starved machine), saves from
   this thread;
3. gives the process `EXIT_GRACE` to end by itself, then stops what must not outlive it and ends it
   with `os._exit`. The session lock is a kernel lock: it goes with the process. When the terminal
   is gone (closed window), Textual has no terminal to restore and the process ends at once.

Pure Python (signal, threading): testable without Textual.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable

SAVE_WAIT = 1.3  # seconds the app's own save may take before the guard saves itself
LOOP_ANSWER = 1.0  # seconds within which a running event loop answers the guard's ping
LATE_SAVE = 0.2  # after the guard saved for a slow (not stuck) app: the app's newer save may still come
EXIT_GRACE = 1.0  # seconds the process may take to end by itself once the work is on disk
GONE_GRACE = 0.0  # the same when the terminal is gone: Textual has nothing left to restore there
SIGNALS = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


class ExitGuard:
    """`request_exit(signum)` asks the app to save and exit (called from the guard thread, must not
    block); `save()` saves from any thread and returns the exit code (0 when everything is on disk);
    `before_exit()` stops what must not outlive the process (servers it started);
    `terminal_gone()` is called first when the terminal no longer answers; `ping(callback)` has
    the event loop call `callback` (from any thread, without blocking)."""

    def __init__(
        self,
        request_exit: Callable[[int], None],
        save: Callable[[], int],
        before_exit: Callable[[], None] = lambda: None,
        terminal_gone: Callable[[], None] = lambda: None,
        ping: Callable[[Callable[[], None]], None] | None = None,
        *,
        save_wait: float = SAVE_WAIT,
        exit_grace: float = EXIT_GRACE,
        gone_grace: float = GONE_GRACE,
        terminal_alive: Callable[[], bool] | None = None,
        end_process: Callable[[int], None] = os._exit,
    ) -> None:
        self._request_exit = request_exit
        self._save = save
        self._before_exit = before_exit
        self._terminal_gone = terminal_gone
        self._ping = ping
        self._save_wait = save_wait
        self._exit_grace = exit_grace
        self._gone_grace = gone_grace
        self._terminal_alive = terminal_alive or stdin_terminal_alive
        self._end_process = end_process
        self._saved = threading.Event()
        self._exit_code = 0
        self._previous: dict[int, object] = {}
        self._triggered = False
        self.loop_answered = False
        self.thread: threading.Thread | None = None

    def install(self) -> bool:
        """Take SIGTERM and SIGHUP. Only possible from the main thread; False elsewhere."""
        if threading.current_thread() is not threading.main_thread():
            return False
        for signum in SIGNALS:
            self._previous[signum] = signal.signal(signum, self._on_signal)
        return True

    def uninstall(self) -> None:
        """Give the signals back (a process that outlives the app must not route them to it)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for signum, previous in self._previous.items():
            if signal.getsignal(signum) == self._on_signal:
                signal.signal(signum, previous)  # type: ignore[arg-type]
        self._previous.clear()

    def work_saved(self, exit_code: int) -> None:
        """The app's own path has saved (or written a rescue copy): the guard need not save."""
        self._exit_code = exit_code
        self._saved.set()

    def _on_signal(self, signum: int, _frame: object) -> None:
        # In the main thread, between two bytecodes of whatever it was doing (maybe blocked on the
        # dead terminal): do nothing here but start the guard. A second signal changes nothing.
        if self._triggered:
            return
        self._triggered = True
        self.thread = threading.Thread(target=self._guard, args=(signum,), name="exit-guard", daemon=True)
        self.thread.start()

    def _app_saves_in_time(self) -> bool:
        """Wait for the app's own save, up to `SAVE_WAIT`; less when its event loop does not even
        answer a ping within `LOOP_ANSWER` (stuck, not just busy)."""
        started = time.monotonic()
        answered = threading.Event()
        try:
            if self._ping is not None:
                self._ping(answered.set)
            else:
                answered.set()
        except Exception:  # noqa: BLE001 - a closed loop does not answer
            pass
        while not self._saved.wait(0.05):
            waited = time.monotonic() - started
            if waited >= self._save_wait or (waited >= LOOP_ANSWER and not answered.is_set()):
                self.loop_answered = answered.is_set()
                return False
        return True

    def _guard(self, signum: int) -> None:
        alive = self._terminal_alive()
        for step in ([] if alive else [self._terminal_gone]) + [lambda: self._request_exit(signum)]:
            try:
                step()
            except Exception:  # noqa: BLE001 - the app may already be gone; the guard goes on
                pass
        if not self._app_saves_in_time():
            try:
                code = self._save()
            except BaseException:  # noqa: BLE001 - exit anyway; the autosave had its chances
                code = 1
            if self.loop_answered:
                self._saved.clear()
                self._saved.wait(LATE_SAVE)  # its save, if it comes now, writes over ours
            if not self._saved.is_set():
                self.work_saved(code)
        grace = self._exit_grace if alive else self._gone_grace
        if grace > 0:
            threading.Event().wait(grace)  # the process normally ends during this wait
        try:
            self._before_exit()
        finally:
            self._end_process(self._exit_code)


def stdin_terminal_alive() -> bool:
    """False once the terminal is hung up (its window closed): it then answers with EIO."""
    try:
        import termios

        termios.tcgetattr(sys.__stdin__.fileno())
    except Exception:  # noqa: BLE001 - termios.error, OSError, no stdin, no termios: no terminal
        return False
    return True
