"""A tiny app that shows one meeting pane over the demo session and records what it reports.

    app = PaneHarness(AgreementPane)
    async with app.run_test(size=(100, 30)) as pilot:
        ...
        assert "section" in app.edits

The pane fills the width a 30-column agenda rail leaves it on the meeting screen, so what fits here
fits there.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path

from rich.console import Console
from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, Static

from facilitator.domain.content import load_checklist
from facilitator.domain.demo import build_demo_session
from facilitator.domain.model import Session
from facilitator.tui.meeting_context import MeetingContext
from facilitator.tui.panes.pane import MeetingPane

DEMO_DATE = date(2026, 3, 2)
RAIL_WIDTH = 30


def demo_session() -> Session:
    return build_demo_session(DEMO_DATE)


class PaneHarness(App):
    """One pane beside a stand-in for the agenda rail, with a footer; records Edited messages."""

    CSS = f"""
    #rail {{ width: {RAIL_WIDTH}; height: 1fr; background: $panel; }}
    #pane {{ width: 1fr; height: 1fr; }}
    #top {{ height: 1; background: $panel; }}
    """

    def __init__(
        self,
        pane_class: Callable[..., MeetingPane],
        session: Session | None = None,
        templates: Path | None = None,
        rail: bool = True,
    ) -> None:
        super().__init__()
        self.session = session or demo_session()
        self.context = MeetingContext(
            session=self.session, checklist=load_checklist(self.session.checklist_version), templates=templates
        )
        self.pane_class = pane_class
        self.rail = rail
        self.edits: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("top bar", id="top")
        with Horizontal():
            if self.rail:
                yield Static("agenda rail", id="rail")
            yield self.pane_class(self.context, id="pane")
        yield Footer()

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        focus_first = getattr(self.pane, "focus_first", None)
        if callable(focus_first):
            focus_first()

    @property
    def pane(self) -> MeetingPane:
        return (
            self.screen.query_one("#pane", MeetingPane)
            if self.screen.query("#pane")
            else self.screen_stack[0].query_one("#pane", MeetingPane)
        )

    @on(MeetingPane.Edited)
    def _record(self, message: MeetingPane.Edited) -> None:
        self.edits.append(message.what)


def screen_text(app: App) -> str:
    """What the terminal shows now, as plain text (for reading a layout or asserting on it)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens, simplify=True)
    console.print(update)
    return console.export_text(styles=False)
