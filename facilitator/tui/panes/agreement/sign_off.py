"""The sign-off of the section shown: which partners endorse it, and whether the room agreed it.

The pane hears the choices as the widgets' own messages (`SelectionList.SelectedChanged` from
`#endorsements`, `Checkbox.Changed` from `#agreed`) and stores them; `show` sets what the session
holds without sending those messages again.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, SelectionList

from facilitator.domain.model import Partner
from facilitator.tui.widgets.toggles import StateCheckbox, StateSelectionList


class SignOff(Vertical):
    DEFAULT_CSS = """
    SignOff {
        height: auto;
        border: tall $panel;
        border-title-color: $text;
    }
    SignOff:focus-within {
        border: tall $accent;
    }
    SignOff #endorsements {
        height: auto;
        max-height: 8;
        border: none;
        padding: 0;
        background: transparent;
    }
    SignOff #agreed {
        width: 100%;
        margin: 0;
    }
    """

    def __init__(self, partners: list[Partner], **kwargs) -> None:
        super().__init__(**kwargs)
        self.partners = partners
        self.border_title = "Sign-off"

    def compose(self) -> ComposeResult:
        yield StateSelectionList[str](id="endorsements")
        yield StateCheckbox("Agreed by the room", id="agreed", compact=True)

    def on_mount(self) -> None:
        endorsements = self.query_one("#endorsements", SelectionList)
        endorsements.add_options([(Content(p.name), p.key) for p in self.partners])  # a name is never markup

    def show(self, section_number: int, endorsers: list[str], agreed: bool) -> None:
        self.show_endorsements(endorsers)
        checkbox = self.query_one("#agreed", Checkbox)
        if checkbox.value != agreed:
            with checkbox.prevent(Checkbox.Changed):
                checkbox.value = agreed
        self.border_title = f"Sign-off of section {section_number}"

    def show_endorsements(self, endorsers: list[str]) -> None:
        endorsements = self.query_one("#endorsements", SelectionList)
        wanted = set(endorsers)
        if set(endorsements.selected) != wanted:
            with endorsements.prevent(SelectionList.SelectedChanged):
                endorsements.deselect_all()
                for partner_key in wanted:
                    endorsements.select(partner_key)

    def toggle_agreed(self) -> bool:
        """Tick or untick "agreed" (its Changed message stores it); returns the new value."""
        checkbox = self.query_one("#agreed", Checkbox)
        checkbox.value = not checkbox.value
        return checkbox.value

    def choose_partners(self) -> None:
        """Put the focus on the endorsements, on the first partner unless one is highlighted."""
        endorsements = self.query_one("#endorsements", SelectionList)
        if endorsements.highlighted is None and endorsements.option_count:
            endorsements.highlighted = 0
        endorsements.focus()
