"""'saved 14:03:12', 'saving…', or a warning that stays until a save succeeds."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class SaveIndicator(Static):
    DEFAULT_CSS = """
    SaveIndicator {
        width: 18;  /* fixed: "saving…" and "saved 14:03:12" then repaint it without a new layout */
        padding: 0 1;
        color: $text-muted;
    }
    SaveIndicator.-failed {
        width: auto;
        background: $error;
        color: $text;
        text-style: bold;
    }
    """

    def __init__(self) -> None:
        super().__init__("", id="save-indicator")
        self.failed_message = ""
        self._shown = ""

    def show_saved(self, clock: str) -> None:
        self.failed_message = ""
        self.remove_class("-failed")
        self._set(f"saved {clock}" if clock else "not saved yet")
        self.tooltip = None

    def show_pending(self) -> None:
        if self.has_class("-failed"):
            return  # keep the warning in view until a save succeeds
        if self._shown != "saving…":  # called on every key press while the room types
            self._set("saving…")

    def _set(self, text: str) -> None:
        self._shown = text
        # The warning is wider than the fixed 18 cells: only then is a new layout needed.
        self.update(text, layout=self.has_class("-failed") or len(text) > 16)

    def show_failed(self, message: str) -> None:
        newly_failed = not self.has_class("-failed") or message != self.failed_message
        self.failed_message = message
        self.add_class("-failed")
        self._set("⚠ NOT SAVED — kept in memory, retrying")
        self.tooltip = Content(message)  # a tooltip reads markup; the message may quote a path
        if newly_failed:  # retries repeat every few seconds: say it once per problem, not per retry
            self.app.notify(
                f"{message} Your work is kept in memory and saving is retried.",
                title="Not saved",
                severity="error",
                timeout=10,
                markup=False,
            )
