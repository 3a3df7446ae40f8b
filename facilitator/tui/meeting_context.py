"""What the meeting screen hands each pane and dialog: the open session and what goes with it.

Plain data, below every part of the TUI that reads it (panes, dialogs, the screen), and the
`MeetingHost`: what a pane may ask of the screen that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from facilitator.domain.content import Checklist
from facilitator.domain.model import Session

if TYPE_CHECKING:
    from facilitator.remote.link import RemoteLink
    from facilitator.storage.store import SessionStore


class MeetingHost:
    """What a pane may ask of the screen that holds it. The meeting screen is one; on its own
    (a pane in a test harness) nothing answers, so these do nothing."""

    remote: RemoteLink | None = None  # remote scoring, once the meeting screen has looked for it

    def show_pending_save(self) -> None:
        """Show "saving…" at once, as the pane edits (its Edited message comes a frame later)."""

    def before_reveal(self, revealing: bool) -> None:
        """Just before the health check reveals (or hides) the scores of a point."""


@dataclass
class MeetingContext:
    session: Session
    checklist: Checklist
    previous: Session | None = None  # the session this one follows, when it could be read
    previous_problem: str = ""  # why the previous session could not be read, if it could not
    templates: Path | None = None  # customised report templates, when the facilitator gave some
    store: SessionStore | None = None  # where the session is saved (the export looks up its history there)
    host: MeetingHost = field(default_factory=MeetingHost)

    def partner_names(self) -> list[str]:
        return [p.name for p in self.session.partners]
