"""What the meeting screen hands each pane and dialog: the open session and what goes with it.

Plain data, below every part of the TUI that reads it (panes, dialogs, the screen)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from facilitator.domain.content import Checklist
from facilitator.domain.model import Session


@dataclass
class MeetingContext:
    session: Session
    checklist: Checklist
    previous: Session | None = None  # the session this one follows, when it could be read
    previous_problem: str = ""  # why the previous session could not be read, if it could not
    templates: Path | None = None
    read_only: bool = False
    extra: dict = field(default_factory=dict)

    def partner_names(self) -> list[str]:
        return [p.name for p in self.session.partners]
