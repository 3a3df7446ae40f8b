"""The floor of the TUI start: a bare Textual app showing one `Static`, nothing else.

Run as a program (in a pty) by the benchmarks; the clock stops when READY appears on screen.
"""

from textual.app import App, ComposeResult
from textual.widgets import Static

READY = "Bare floor ready"


class BareStatic(App):
    def compose(self) -> ComposeResult:
        yield Static(READY)


if __name__ == "__main__":
    BareStatic().run()
