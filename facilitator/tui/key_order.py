"""Keys handled in the order they were typed, each once the key before it has had its effect.

Textual hands a key to the focused widget the moment it reads it, but runs an ordinary (not
priority) binding only when the key has bubbled back up to the screen or the app. Keys that arrive
together (a quick typist, a paste, a terminal sending a burst) then outrun the bindings: in
`Tab` then `Acme` the text lands in the field Tab was leaving, and in `F3` then `3` the score goes
to the step F3 was leaving. A key that opens a screen loses the keys behind it to the screen below.

So while a key is still on its way (queued or being handled by any widget between the focus and the
app, or by the screen it left or the one it opened), the keys read after it wait here, and each is
handed on only when the one before has been handled. A key typed on its own, after the one before
has settled (every Pilot press, most typing), is handed on at once, exactly as Textual would.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from facilitator.tui.textual_compat import report_exception, unfinished_messages

MOST_WAIT = 1.0  # seconds a key waits for the one before it to settle; then it is handed on anyway
QUIET_TURNS = 2  # the queues must be empty this many turns of the event loop running: a handler
#                  that has just finished may still post the next step's messages


class KeysInOrder:
    """Owned by the app: `take(event)` from its `on_event` for every key read from the terminal."""

    def __init__(self, app: Any, hand_on: Callable[[Any], Awaitable[None]]) -> None:
        self._app = app
        self._hand_on = hand_on  # what Textual does with a key: priority bindings, then the focus
        self._waiting: deque[Any] = deque()
        self._pump: asyncio.Task[None] | None = None
        self._last_path: list[Any] = []  # where the last key handed on went

    @property
    def waiting(self) -> int:
        """Keys read but not yet handed on."""
        return len(self._waiting)

    async def take(self, event: Any) -> None:
        # The app is handling `event` right now: that one message in its queue is not "on its way".
        if not self._waiting and self._unsettled(own_messages=1) == 0:
            await self._send(event)
            return
        self._waiting.append(event)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._run(), name="keys in order")

    def stop(self) -> None:
        if self._pump is not None:
            self._pump.cancel()

    async def _run(self) -> None:
        while self._waiting:
            await self._until_settled()
            event = self._waiting.popleft()
            try:
                await self._send(event)
            except Exception as error:  # noqa: BLE001 - as if raised in the app's own handler
                report_exception(self._app, error)
                return

    async def _send(self, event: Any) -> None:
        self._last_path = self._path()
        await self._hand_on(event)

    async def _until_settled(self) -> None:
        until = time.monotonic() + MOST_WAIT
        quiet = 0
        while quiet < QUIET_TURNS and time.monotonic() < until:
            await asyncio.sleep(0)
            quiet = quiet + 1 if self._unsettled() == 0 else 0

    def _path(self) -> list[Any]:
        """The message pumps a key goes through now: the focused widget up to its screen, then the app."""
        app = self._app
        pumps: list[Any] = []
        try:
            screen = app.screen
        except Exception:  # noqa: BLE001 - no screen yet (start-up) or any more (exit)
            screen = None
        node = app.focused
        while node is not None and node is not screen and node is not app:
            pumps.append(node)
            node = node.parent
        if screen is not None:
            pumps.append(screen)
        pumps.append(app)
        return pumps

    def _unsettled(self, own_messages: int = 0) -> int:
        """Messages queued or being handled where the last key went and where the next will go."""
        pumps = {id(pump): pump for pump in self._last_path + self._path()}
        count = sum(unfinished_messages(pump) for pump in pumps.values())
        return max(0, count - own_messages)
