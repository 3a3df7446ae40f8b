"""A yes/no question in a small dialog: `ConfirmScreen(title, text, confirm_label)` dismisses with a bool;
`confirm(...)` asks one before a deletion and runs what follows only on yes."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmScreen(ModalScreen[bool]):
    """Ask before doing something that cannot be undone in the app (delete, discard, replace)."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("y", "confirm", "Yes"),
        Binding("n,escape", "cancel", "No"),
    ]

    def __init__(
        self, title: str, text: str, confirm_label: str = "Yes", cancel_label: str = "Cancel", *, danger: bool = False
    ) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.confirm_label = confirm_label
        self.cancel_label = cancel_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="title", markup=False)
            yield Static(self.text, id="text", markup=False)
            with Horizontal(id="buttons"):
                yield Button(f"{self.confirm_label} (y)", id="confirm", variant="error" if self.danger else "primary")
                yield Button(f"{self.cancel_label} (n)", id="cancel")

    def on_mount(self) -> None:
        self.set_class(self.danger, "-danger")
        # Enter presses the focused button: the confirm button, unless the user tabs away.
        self.query_one("#confirm", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


def confirm(host: DOMNode, title: str, text: str, on_yes: Callable[[], None], confirm_label: str = "Delete") -> None:
    """Ask a yes/no question with the shared `ConfirmScreen`; run `on_yes` only on yes."""
    app = host if isinstance(host, App) else host.app

    def answered(yes: bool | None) -> None:
        if yes:
            on_yes()

    app.push_screen(ConfirmScreen(title, text, confirm_label, danger=True), answered)
