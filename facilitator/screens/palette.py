"""The command palette: Textual's own, with one guard.

Page Up and Page Down reach the palette's list of commands even while it has no room on screen
(between two searches, as the results come in). Textual's option list then looks up lines it never
laid out and raises KeyError, which ends the app (found by random keys). With no room there is
nothing to page through, so the key does nothing.
"""

from __future__ import annotations

from textual.command import CommandList, CommandPalette


class Palette(CommandPalette):
    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down") and not self.query_one(CommandList).scrollable_content_region:
            return
        super()._action_command_list(action)
