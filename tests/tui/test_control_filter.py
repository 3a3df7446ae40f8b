"""The filter every drawn line goes through: control characters out, everything else as it was."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.color import Color

from facilitator.tui.control_filter import ControlCharacterFilter

BOLD = Style(bold=True)


def drawn(*texts: str) -> list[Segment]:
    return ControlCharacterFilter().apply([Segment(text, BOLD) for text in texts], Color(0, 0, 0))


def test_a_plain_line_is_given_back_as_it_is() -> None:
    segments = [Segment("Trust 🤝 信頼 שותפות", BOLD), Segment("\u00a0Zoë\u3000", None)]
    assert ControlCharacterFilter().apply(segments, Color(0, 0, 0)) is segments


def test_controls_are_dropped_and_the_styles_kept() -> None:
    line = drawn("ok ", "Noor\x1b]52;c;aGk=\x07 Haddad", " Pay \u202e0001\u2069 EUR\x9b2J", "\ttab\r\n")
    assert [segment.text for segment in line] == ["ok ", "Noor]52;c;aGk= Haddad", " Pay 0001 EUR2J", " tab"]
    assert all(segment.style == BOLD for segment in line)


def test_control_segments_are_left_alone() -> None:
    cursor = Segment("\x1b[2J", None, [(1,)])  # Textual's own, never text from a session
    assert ControlCharacterFilter().apply([Segment("a\x1bb"), cursor], Color(0, 0, 0))[1] is cursor
