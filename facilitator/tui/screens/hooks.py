"""What the app and the help screen may ask of the screen on top, beyond Textual's own: named
contracts, checked with `isinstance`, instead of looking attributes up by name with `getattr`.

A screen or dialog takes part by having the member; there is nothing to inherit (the meeting
screen, the session list, the history and the dialogs already have them). Go-to-definition and
"find usages" on a member lead here, and from here to every screen that offers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # only named: isinstance checks that the member is there, and the app starts
    # without the model and the checklist (about 18 ms of the first screenful)
    from textual.app import SystemCommand

    from facilitator.domain.content import Checklist
    from facilitator.tui.meeting_context import MeetingContext


@runtime_checkable
class OffersCommands(Protocol):
    """A screen with commands of its own in the command palette (the app adds them to its own)."""

    def palette_commands(self) -> Iterable[SystemCommand]: ...


@runtime_checkable
class NamedInHelp(Protocol):
    """A screen that names itself in Help's "Keys — ..." heading (otherwise its title is used)."""

    HELP_NAME: str


@runtime_checkable
class ExplainsInHelp(Protocol):
    """A screen with more to explain than its keys: Markdown that Help shows under them."""

    HELP_NOTES: str


@runtime_checkable
class ShowsChecklist(Protocol):
    """A screen about one checklist (the remote panel): Help explains its scale and source."""

    checklist: Checklist


@runtime_checkable
class InMeeting(Protocol):
    """A screen working on the open meeting (the meeting screen, the item forms): Help explains the
    meeting's checklist."""

    context: MeetingContext
