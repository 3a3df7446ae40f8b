"""The private parts of Textual that facilitator reaches into, all here, each with why.

No public API does these jobs (Textual 8.2). `tests/tui/test_textual_compat.py` checks that each
still exists and behaves as assumed, so a Textual upgrade that breaks one fails there, by name,
instead of somewhere in a meeting. The overrides of private hooks that cannot live here (the
palette's watchers, the toggle buttons' `_button`, the apps' `_handle_exception`) are checked there
too.
"""

from __future__ import annotations

import re
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
    "recheck_scrollbars",
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


def recheck_scrollbars(widget: Any) -> None:
    """Decide again whether `widget` needs its scrollbars, and lay it out again. Textual decides at
    layout, from the content's size then: a table refilled just after a resize (narrower columns)
    kept the horizontal scrollbar its old columns had needed, a blank row under it."""
    refresh_scrollbars = getattr(widget, "_refresh_scrollbars", None)  # a later Textual may rename it
    if callable(refresh_scrollbars):
        refresh_scrollbars()
    widget.refresh(layout=True)


def add_line_filter(app: Any, line_filter: Any) -> None:
    """Add a filter every line the app draws passes through. Textual keeps its own filters (colour
    modes, dimming) in `App._filters`, read through `get_line_filters`; there is no public way to
    add one."""
    app._filters.append(line_filter)


PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"  # what a terminal puts around a paste
# What a paste may hold that would act as keys once in the app: ESC, DEL, Ctrl+Q and the other C0
# and C1 controls (tabs and line breaks are text).
_PASTED_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class TerminalInputDecoder:
    """The terminal's bytes as text: UTF-8, with U+FFFD for a byte that is not; and inside a
    bracketed paste, the control characters left out.

    Textual's parser replays what follows an ESC inside a paste as key presses, ahead of the
    paste: a pasted "alpha ESC beta" arrived as "beta alpha", a pasted DEL erased what the room had
    typed, a pasted Ctrl+Q quit the meeting. Left out here, the paste arrives whole and in order."""

    def __init__(self, encoding: str = "utf-8") -> None:
        import codecs

        self._decode = codecs.getincrementaldecoder(encoding)(errors="replace").decode
        self._in_paste = False
        self._held = ""  # the start of a paste's end cut off by the read: joined to the next one
        # The last characters passed on outside a paste: a paste's start cut in two by the reads
        # is found with them (they went on at once: an Escape key is never held back).
        self._tail = ""

    def decode(self, data: bytes, final: bool = False) -> str:
        text, self._held = self._held + self._decode(data, final), ""
        out: list[str] = []
        at = 0
        while at < len(text):
            if not self._in_paste:
                look = self._tail + text[at:]
                start = look.find(PASTE_START)
                if start < 0:
                    out.append(text[at:])
                    self._tail = look[-(len(PASTE_START) - 1) :]
                    break
                marker_end = at + start + len(PASTE_START) - len(self._tail)
                out.append(text[at:marker_end])  # what came before the paste, and its start
                at, self._in_paste, self._tail = marker_end, True, ""
                continue
            end = text.find(PASTE_END, at)
            if end < 0:
                pasted = text[at:]
                cut = 0 if final else _cut_off_end(pasted)
                if cut:
                    pasted, self._held = pasted[:-cut], pasted[-cut:]
                out.append(_PASTED_CONTROLS.sub("", pasted))
                break
            out.append(_PASTED_CONTROLS.sub("", text[at:end]) + PASTE_END)
            at = end + len(PASTE_END)
            self._in_paste = False
        return "".join(out)


def _cut_off_end(text: str) -> int:
    """How many characters at the end of `text` are the start of a paste's end marker."""
    for length in range(len(PASTE_END) - 1, 0, -1):
        if text.endswith(PASTE_END[:length]):
            return length
    return 0


def _lenient_decoder(encoding: str) -> Callable[[], TerminalInputDecoder]:
    return lambda: TerminalInputDecoder(encoding)


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
