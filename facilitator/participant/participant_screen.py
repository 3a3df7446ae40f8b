"""The base of the participant's pages (joining, the ballot): what the app tells the page on top."""

from __future__ import annotations

from textual.screen import Screen


class ParticipantScreen(Screen):
    """A page of the participant app. The app reads the round file every second; when it changed,
    the page on top hears `round_changed` and shows what the room did. A page with nothing to show
    of it leaves the hook as it is: it does nothing."""

    def round_changed(self) -> None:
        """The round changed (the room's point, a reveal, a new round, a person taken out)."""
