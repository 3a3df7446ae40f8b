"""Shown instead of everything else while the terminal is smaller than the app needs.

The app pushes it when the window shrinks below the minimum and pops it when the window is large
enough again (`FacilitatorApp._check_size`); the screens underneath keep all their state. The
message itself must read whole at any size (down to about 20x5): it drops its frame, then words,
before it would be cut off.
"""

from __future__ import annotations

import textwrap

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

FRAME_WIDTH, FRAME_HEIGHT = 6, 4  # a round border and padding 1 2, around the text
MAX_TEXT_WIDTH = 56  # the framed message's width at most (60 with the frame), easy to read


def fits(text: str, width: int, height: int) -> bool:
    """True when `text`, wrapped at word boundaries to `width`, takes at most `height` lines."""
    if width < 1:
        return False
    lines = [
        line
        for paragraph in text.split("\n")
        for line in (textwrap.wrap(paragraph, width, break_long_words=False) or [""])
    ]
    return len(lines) <= height and all(len(line) <= width for line in lines)


def too_small_message(width: int, height: int, min_width: int, min_height: int) -> tuple[str, bool]:
    """The message for a window of `width` x `height`, and whether it has room for its frame:
    the full sentence framed, then unframed, then shorter ones, the minimum size always said."""
    full = (
        f"This window is {width}×{height}. facilitator needs at least {min_width}×{min_height} — "
        "enlarge the window or reduce the font size.\n\nNothing is lost."
    )
    short = f"Window {width}×{height}. Needs at least {min_width}×{min_height}. Nothing is lost."
    shortest = f"Needs {min_width}×{min_height}"
    framed_width = min(width - FRAME_WIDTH, MAX_TEXT_WIDTH)
    if fits(full, framed_width, height - FRAME_HEIGHT):
        return full, True
    for text in (full, short):
        if fits(text, width, height):
            return text, False
    return shortest, False


class TooSmallScreen(Screen[None]):
    """A calm message asking for a larger window."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", show=False)]
    CSS_PATH = "too_small.tcss"

    def __init__(self, min_width: int = 80, min_height: int = 24) -> None:
        super().__init__()
        self.min_width = min_width
        self.min_height = min_height

    def compose(self) -> ComposeResult:
        yield Static("", id="message", markup=False)

    def on_mount(self) -> None:
        self._show_message()

    def message(self) -> str:
        return too_small_message(*self.app.size, self.min_width, self.min_height)[0]

    def _show_message(self) -> None:
        text, framed = too_small_message(*self.app.size, self.min_width, self.min_height)
        message = self.query_one("#message", Static)
        message.set_class(not framed, "-unframed")
        message.update(text)

    def on_resize(self, event: events.Resize) -> None:
        self._show_message()

    def on_screen_resume(self) -> None:
        self._show_message()
