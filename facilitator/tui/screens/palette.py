"""The command palette: Textual's own, with two guards, both found by random keys.

- Page Up and Page Down reach the palette's list of commands even while it has no room on screen
  (between two searches, as the results come in). Textual's option list then looks up lines it
  never laid out and raises KeyError, which ends the app. With no room there is nothing to page
  through, so the key does nothing.
- Closing the palette while a search is still gathering commands: the search ends after the
  palette's widgets are gone, and its watchers' `query_one(CommandList)` raises NoMatches in the
  worker, which ends the app. A palette that is closing has nothing left to show, so they return;
  so do its timers (the "No matches found" line half a second after a search came back empty).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import CommandList, CommandPalette
from textual.timer import Timer


class Palette(CommandPalette):
    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down") and not self.query_one(CommandList).scrollable_content_region:
            return
        super()._action_command_list(action)

    def _palette_gone(self) -> bool:
        return not self.is_attached or not self.query(CommandList)

    def _watch__list_visible(self) -> None:
        if self._palette_gone():
            return
        super()._watch__list_visible()

    async def _watch__show_busy(self) -> None:
        if self._palette_gone():
            return
        await super()._watch__show_busy()

    def set_timer(self, delay: float, callback: Callable[[], Any] | None = None, *args: Any, **kwargs: Any) -> Timer:
        if callback is None:
            return super().set_timer(delay, callback, *args, **kwargs)
        command = callback

        def unless_gone() -> Any:
            return None if self._palette_gone() else command()  # an awaitable is awaited by the timer

        return super().set_timer(delay, unless_gone, *args, **kwargs)
