"""The private parts of Textual that facilitator reaches into, all here, each with why.

No public API does these jobs (Textual 8.2). `tests/tui/test_textual_compat.py` checks that each
still exists and behaves as assumed, so a Textual upgrade that breaks one fails there, by name,
instead of somewhere in a meeting. The overrides of private hooks that cannot live here (the
palette's watchers, the toggle buttons' `_button`, the apps' `_handle_exception`) are checked there
too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

# ToggleButton is the base of Checkbox and RadioButton; Textual does not export it.
from textual.widgets._toggle_button import ToggleButton

__all__ = [
    "ToggleButton",
    "add_line_filter",
    "decode_terminal_input_leniently",
    "discard_output_after_hangup",
    "report_exception",
    "stop_reading_input",
    "take_repaint_request",
    "unfinished_messages",
    "watch_driver_messages",
]


def unfinished_messages(pump: Any) -> int:
    """Messages queued at a message pump (app, screen or widget), plus one while it is at work on a
    message (or on what follows one: its idle handler, `call_next` callbacks, mounting).

    Textual's queue counts only what is still queued: the message being handled has left it, and a
    handler that takes a while (a cold start, a busy machine) would look settled. A pump that is
    not at work waits for its queue's ready event, so one with no waiter on it is at work."""
    queue = getattr(pump, "_message_queue", None)
    if queue is None or getattr(pump, "_closed", False) or not getattr(pump, "_running", False):
        return 0
    queued: int = queue.qsize()
    ready = getattr(queue, "ready_event", None)
    if ready is None:  # another queue than Textual's own: only what is queued can be seen
        return queued
    return queued + (0 if getattr(ready, "_waiters", None) else 1)


def report_exception(app: Any, error: Exception) -> None:
    """End the app with `error` as Textual does with an error in a handler (traceback, exit code)."""
    app._handle_exception(error)


def watch_driver_messages(app: Any, watch: Callable[[Any], None]) -> bool:
    """Have `watch(message)` see every message the driver's input thread posts (from that thread).
    False when the driver has no such hook (a headless test driver, say)."""
    driver = getattr(app, "_driver", None)
    post = getattr(driver, "process_message", None)
    if post is None:
        return False

    def watched(message: Any) -> None:
        watch(message)
        post(message)

    driver.process_message = watched
    return True


def stop_reading_input(app: Any, wait: float = 0.3) -> None:
    """Stop the driver's input thread (after a hangup it spins on the terminal's end of file) and
    wait for it, so that every key it read is posted."""
    driver = getattr(app, "_driver", None)
    stop_input = getattr(driver, "exit_event", None)
    if stop_input is None:
        return
    stop_input.set()
    reader = getattr(driver, "_key_thread", None)
    if reader is not None:
        reader.join(timeout=wait)


def discard_output_after_hangup(app: Any) -> None:
    """After a hangup the driver's writer thread dies on its next write, and its queue, once full,
    would block the event loop for good: once it has died, empty the queue from another thread."""
    writer = getattr(getattr(app, "_driver", None), "_writer_thread", None)
    queue = getattr(writer, "_queue", None)
    if writer is None or queue is None:
        return

    def discard() -> None:
        writer.join(timeout=0.5)  # its next write fails, and it ends; only then take its place
        if writer.is_alive():
            return
        while True:
            queue.get()

    threading.Thread(target=discard, name="discard-output", daemon=True).start()


def take_repaint_request(widget: Any) -> bool:
    """Whether a repaint of `widget` was asked for since the last call (and forget the request):
    a widget that caches its rendered lines redraws them only then."""
    regions = widget._dirty_regions
    if not regions:
        return False
    regions.clear()
    return True


def add_line_filter(app: Any, line_filter: Any) -> None:
    """Add a filter every line the app draws passes through. Textual keeps its own filters (colour
    modes, dimming) in `App._filters`, read through `get_line_filters`; there is no public way to
    add one."""
    app._filters.append(line_filter)


def _lenient_decoder(encoding: str) -> Callable[[], Any]:
    import codecs

    decoder_class = codecs.getincrementaldecoder(encoding)
    return lambda: decoder_class(errors="replace")


def decode_terminal_input_leniently() -> None:
    """Read bytes from the terminal that are not UTF-8 as U+FFFD instead of ending the app.

    Textual's Linux driver decodes its input strictly (`getincrementaldecoder("utf-8")()` in
    `run_input_thread`): one byte from a terminal set to Latin-1 ("café" typed as 0xE9), or a C1
    byte in a paste, raised UnicodeDecodeError in the input thread and ended the meeting. The
    driver looks the function up in its module's globals at each start, so replacing it there is
    enough; every app of this process gets it."""
    import sys

    # The web driver (a participant's browser through `serve`) decodes the same way. Called after
    # `App.__init__`, which imported the driver it chose: the other is not imported for nothing.
    for name in ("textual.drivers.linux_driver", "textual.drivers.web_driver"):
        driver_module = sys.modules.get(name)
        if getattr(driver_module, "getincrementaldecoder", None) is not None:
            driver_module.getincrementaldecoder = _lenient_decoder  # type: ignore[union-attr]
