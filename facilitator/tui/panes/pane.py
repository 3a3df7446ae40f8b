"""What every step of the meeting workspace shares: the context it works on and how it reports edits.

Data flows down: the meeting screen gives each pane a `MeetingContext` (the open session, its
checklist, the previous session of the alliance if any). Edits flow up: a pane changes the session
through the model's own methods, then posts `MeetingPane.Edited`; the screen schedules the autosave
and tells the other panes to refresh when they are next shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.message import Message
from textual.widget import Widget

from facilitator.domain.content import Checklist
from facilitator.domain.model import Session
from facilitator.tui.meeting_context import MeetingContext

if TYPE_CHECKING:
    from facilitator.remote.link import RemoteLink


class MeetingPane(Widget):
    """Base class of the meeting steps (welcome, health check, gaps, agreement, actions, close)."""

    DEFAULT_CSS = """
    MeetingPane {
        height: 1fr;
        width: 1fr;
    }
    """

    class Edited(Message):
        """The pane changed the session: save it and refresh what depends on it."""

        def __init__(self, what: str = "") -> None:
            super().__init__()
            self.what = what

    class GoToStep(Message):
        """Ask the meeting screen to show another step (optionally at a checklist point or section)."""

        def __init__(self, step: str, point: int | None = None, section: int | None = None) -> None:
            super().__init__()
            self.step = step
            self.point = point
            self.section = section

    def __init__(self, context: MeetingContext, **kwargs) -> None:
        super().__init__(**kwargs)
        self.context = context

    @property
    def session(self) -> Session:
        return self.context.session

    @property
    def checklist(self) -> Checklist:
        return self.context.checklist

    def edited(self, what: str = "") -> None:
        # "saving…" at once, painted with the edit itself; the message (handled a frame later)
        # schedules the save.
        self.context.host.show_pending_save()
        self.post_message(self.Edited(what))

    # -- hooks the meeting screen calls; a pane overrides those it has a use for -----------------

    def focus_first(self) -> None:
        """Put the focus where the room starts on this step (the screen's first field, unless told)."""
        self.screen.focus_next()

    def show_remote(self, link: RemoteLink) -> None:
        """Remote scoring changed (opened, closed, a ballot came in): show what this step shows of it."""

    def scores_changed(self) -> None:
        """Scores came from participants' devices outside a poll: repaint what shows them."""

    def commit_typing(self) -> None:
        """Put text typed into an editor, whose change is not handled yet, into the session."""

    def palette_commands(self) -> Iterator[SystemCommand]:
        """This step's own commands for the command palette."""
        yield from ()

    def refresh_from_session(self) -> None:
        """Re-read the session into the widgets. Called each time the pane is shown."""
