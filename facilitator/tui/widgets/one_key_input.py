"""A one-character field whose typed key replaces what it holds.

Textual's `Input` refuses a key once the field holds `max_length` characters. After a click (which
places the cursor instead of selecting), a score typed over another would be swallowed without a
word; here the new key takes the old one's place, as on a scoreboard.
"""

from __future__ import annotations

from textual.widgets import Input


class OneKeyInput(Input):
    """An `Input` given `max_length`: a key typed when it is full replaces its value."""

    def insert_text_at_cursor(self, text: str) -> None:
        if self.max_length and len(self.value) + len(text) > self.max_length:
            self.value = text[-self.max_length :]
            self.cursor_position = len(self.value)
            return
        super().insert_text_at_cursor(text)
