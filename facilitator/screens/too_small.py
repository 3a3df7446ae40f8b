"""Shown instead of everything else while the terminal is smaller than the app needs.

The app pushes it when the window shrinks below the minimum and pops it when the window is large
enough again (`FacilitatorApp._check_size`); the screens underneath keep all their state.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static


class TooSmallScreen(Screen[None]):
    """A calm message asking for a larger window."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", show=False)]
    CSS_PATH = "too_small.tcss"

    def __init__(self, min_width: int = 80, min_height: int = 24) -> None:
        super().__init__()
        self.min_width = min_width
        self.min_height = min_height

    def compose(self) -> ComposeResult:
        yield Static(self.message(), id="message", markup=False)

    def message(self) -> str:
        width, height = self.app.size
        return (f"This window is {width}×{height}. facilitator needs at least "
                f"{self.min_width}×{self.min_height} — enlarge the window or reduce the font size.\n\n"
                "Nothing is lost.")

    def on_resize(self, event: events.Resize) -> None:
        self.query_one("#message", Static).update(self.message())

    def on_screen_resume(self) -> None:
        self.query_one("#message", Static).update(self.message())
