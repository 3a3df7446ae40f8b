"""What reaches the terminal is never a control character, whatever a session holds.

A session keeps its text exactly as typed or loaded (a shared file included): an escape sequence
in a note would, drawn as it is, rewrite the clipboard (OSC 52), the window title or the screen,
and a bidi override would show a line's words in another order on a terminal that reorders. Every
line Textual draws, in every widget (tables, text areas, inputs, notifications), passes through
this filter on its way out. Rich measures these characters as zero cells wide, so dropping them
changes no layout.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from facilitator.base.terminal_text import without_controls

# Line breaks and tabs, which text may hold, moved the cursor if one were in a drawn line.
_BREAKS = {ord("\n"): None, ord("\r"): None, ord("\t"): " "}


class ControlCharacterFilter(LineFilter):
    """Drops every control character from the text of the segments of a drawn line."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        line = "".join([text for text, _style, _control in segments])
        if without_controls(line) is line and "\n" not in line and "\r" not in line and "\t" not in line:
            return segments  # the usual line: one search over it, and no new list made
        first = next((i for i, segment in enumerate(segments) if _undrawable(segment)), len(segments))
        return segments[:first] + [
            Segment(_drawable(segment.text), segment.style) if _undrawable(segment) else segment
            for segment in segments[first:]
        ]


def _undrawable(segment: Segment) -> bool:
    text = segment.text
    return not segment.control and (without_controls(text) is not text or "\n" in text or "\r" in text or "\t" in text)


def _drawable(text: str) -> str:
    return without_controls(text).translate(_BREAKS)
