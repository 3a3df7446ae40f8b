"""Check boxes, radio buttons and selection lists whose state reads without colour.

Textual draws a ticked and an unticked box alike (`▐X▌`), and a chosen and an unchosen radio button
alike (`▐●▌`); only the colour differs. On a washed-out projector or with `NO_COLOR=1` the room
cannot tell a signed-off section from one still open. These draw the off state with another glyph.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.style import Style
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import SelectionType

from facilitator.tui.textual_compat import ToggleButton

CHECK_OFF = " "
RADIO_OFF = "○"


class _OffGlyph:
    """Mixin for a ToggleButton. `_button` is Textual's hook that draws the box (as Textual draws it,
    with OFF in the middle when the button is off)."""

    OFF = " "

    @property
    def _button(self) -> Content:
        button_style = self.get_visual_style("toggle--button")  # type: ignore[attr-defined]
        side_style = Style(foreground=button_style.background, background=self.background_colors[1])  # type: ignore[attr-defined]
        inner = self.BUTTON_INNER if self.value else self.OFF  # type: ignore[attr-defined]
        return Content.assemble(
            (self.BUTTON_LEFT, side_style),
            (inner, button_style),  # type: ignore[attr-defined]
            (self.BUTTON_RIGHT, side_style),
        )  # type: ignore[attr-defined]


class StateCheckbox(_OffGlyph, Checkbox):
    OFF = CHECK_OFF


class StateRadioButton(_OffGlyph, RadioButton):
    OFF = RADIO_OFF


class StateSelectionList(SelectionList[SelectionType]):
    """A SelectionList whose unselected rows show an empty box."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        if selection.value in self._selected:
            return strip
        segments = list(strip)
        if len(segments) > 1 and segments[1].text == ToggleButton.BUTTON_INNER:
            segments[1] = Segment(CHECK_OFF, segments[1].style)
            return Strip(segments, strip.cell_length)
        return strip
