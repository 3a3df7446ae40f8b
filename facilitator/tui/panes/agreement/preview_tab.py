"""The Preview tab: the whole agreement as it will be exported, scrolled to the section shown.

Rendering runs in a thread, on a copy of the session, so the room can keep typing; while the tab
is shown, an edit renders it again `PREVIEW_DELAY` after the last one. A template that fails says
why here, and the meeting goes on.
"""

from __future__ import annotations

import copy
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Markdown, Static, TabbedContent, TabPane
from textual.worker import get_current_worker

from facilitator.domain.model import Session
from facilitator.tui.meeting_context import MeetingContext

PREVIEW_DELAY = 1.0  # seconds after the last edit before the visible preview is rendered again


class PreviewTab(TabPane):
    DEFAULT_CSS = """
    PreviewTab #preview-scroll {
        height: 1fr;
        border: tall $panel;
        padding: 0 1;
    }
    PreviewTab #preview-scroll:focus {
        border: tall $accent;
    }
    PreviewTab #preview-status {
        height: 1;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(self, context: MeetingContext, **kwargs) -> None:
        super().__init__("Preview", **kwargs)
        self.context = context
        self.section_number = 1  # the section shown beside it: the preview scrolls to it
        self._timer: Timer | None = None
        self._stale = True

    def compose(self) -> ComposeResult:
        yield Static("", id="preview-status")
        with VerticalScroll(id="preview-scroll"):
            yield Markdown("", id="preview")

    @property
    def source(self) -> str:
        """The Markdown the preview shows now."""
        return self.query_one("#preview", Markdown).source

    def focus_document(self) -> None:
        self.query_one("#preview-scroll").focus()

    def _visible(self) -> bool:
        return self.query_ancestor(TabbedContent).active == self.id

    def mark_stale(self) -> None:
        """The session changed: render again, a moment after the last edit while the tab is shown,
        or when it is next shown."""
        self._stale = True
        if self._visible():
            if self._timer is not None:
                self._timer.stop()
            self._timer = self.set_timer(PREVIEW_DELAY, self.render_now)

    def render_if_stale(self) -> None:
        if self._stale:
            self.render_now()

    def render_now(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._stale = False
        self.query_one("#preview-status", Static).update("Rendering the agreement…")
        # The worker renders a copy: the room may keep typing into the real session meanwhile.
        self._render_agreement(copy.deepcopy(self.context.session), self.context.templates)

    @work(thread=True, exclusive=True, group="agreement-preview", exit_on_error=False)
    def _render_agreement(self, snapshot: Session, templates: Path | None) -> None:
        from facilitator.reports import render as reports

        try:
            markdown = reports.render(snapshot, "agreement", templates)
            problem = ""
        except Exception as error:  # noqa: BLE001 - a broken template must not end the meeting
            markdown = ""
            problem = str(error) or error.__class__.__name__
        if get_current_worker().is_cancelled:
            return
        try:
            self.app.call_from_thread(self._show_rendered, markdown, problem)
        except RuntimeError:
            pass  # the app is closing

    async def _show_rendered(self, markdown: str, problem: str) -> None:
        if not self.is_mounted:
            return
        status = self.query_one("#preview-status", Static)
        if problem:
            status.update(
                Content.from_markup("[$error]The preview could not be rendered:[/] $problem", problem=problem)
            )
            return
        await self.query_one("#preview", Markdown).update(markdown)
        status.update("As it will be exported · F8 back to the draft")
        self.scroll_to_section()

    def scroll_to_section(self) -> None:
        preview = self.query_one("#preview", Markdown)
        prefix = f"{self.section_number}. "
        try:
            for _level, label, block_id in preview.table_of_contents or []:
                if str(label).startswith(prefix) and block_id:
                    preview.query_one(f"#{block_id}").scroll_visible(top=True, animate=False)
                    return
        except Exception:  # noqa: BLE001 - scrolling is a nicety
            return
