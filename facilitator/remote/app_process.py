"""One participant's app process, as textual-serve's AppService runs it, made safe to abandon.

textual-serve starts the process with the browser's screen size as sent, unchecked: 20000x20000
made a process grow to about 2 GB. When a websocket send fails, its service stops reading the
process's output, the process blocks writing to a full pipe and never exits; and a browser that
stops reading without closing can hold a send forever. Here:

- screen sizes are clamped on start and on every resize;
- output is read to the end even after the browser has gone, so the app is never stuck writing;
- a send the browser does not take within SEND_TIMEOUT drops the connection;
- when the connection ends, the app is asked to quit, and if it has not exited within EXIT_GRACE
  seconds its whole process group is killed (it is started in a session of its own for that).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from asyncio.subprocess import Process
from collections.abc import Awaitable, Callable, Coroutine

from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

log = logging.getLogger("textual-serve")

MIN_WIDTH, MAX_WIDTH = 20, 300  # a narrow phone is about 40 columns; a wide monitor about 250
MIN_HEIGHT, MAX_HEIGHT = 6, 100
EXIT_GRACE = 3.0  # seconds an app has to exit once its page is gone, before it is killed
SEND_TIMEOUT = 20.0  # a browser that takes longer than this to accept output is treated as gone
CONTROL_TIMEOUT = 1.0  # for a quit or resize message to reach an app that no longer reads its input


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A screen size the app may be started or resized to, whatever the browser sent."""
    return _clamp(width, 80, MIN_WIDTH, MAX_WIDTH), _clamp(height, 24, MIN_HEIGHT, MAX_HEIGHT)


def _clamp(value: object, default: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return default
    try:
        number = int(value)
    except ValueError:
        return default
    return max(low, min(high, number))


class ParticipantProcess(AppService):
    def __init__(
        self,
        command: str,
        *,
        write_bytes: Callable[[bytes], Awaitable[None]],
        write_str: Callable[[str], Awaitable[None]],
        close: Callable[[], Awaitable[None]],
        download_manager: DownloadManager,
        debug: bool = False,
        abort: Callable[[], None],
    ) -> None:
        super().__init__(
            command,
            write_bytes=write_bytes,
            write_str=write_str,
            close=close,
            download_manager=download_manager,
            debug=debug,
        )
        self.abort_connection = abort  # drops the browser's connection at once (no closing handshake)
        self.browser_gone = False
        self._ended = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        width, height = clamp_size(width, height)
        self._process = process = await asyncio.create_subprocess_shell(
            self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,  # its own process group, so it can be killed with anything it started
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def set_terminal_size(self, width: int, height: int) -> None:
        await self._bounded(super().set_terminal_size(*clamp_size(width, height)))

    async def on_data(self, payload: bytes) -> None:
        await self._to_browser(self.remote_write_bytes(payload))

    async def on_meta(self, data: bytes) -> None:
        await self._to_browser(super().on_meta(data))

    async def on_packed(self, payload: bytes) -> None:
        await self._to_browser(super().on_packed(payload))

    async def _to_browser(self, sending: Awaitable[None]) -> None:
        """Send to the browser; once it is gone, drop the output but keep reading it."""
        if self.browser_gone:
            if isinstance(sending, Coroutine):
                sending.close()  # never to be awaited: closed, so Python does not warn that it was not
            return
        try:
            await asyncio.wait_for(sending, SEND_TIMEOUT)
        except TimeoutError:
            log.warning("A browser took longer than %d s to accept output; dropping it", SEND_TIMEOUT)
            self._lose_browser()
        except Exception:  # noqa: BLE001 - a closed websocket raises several kinds; all mean "gone"
            self._lose_browser()

    def _lose_browser(self) -> None:
        self.browser_gone = True
        try:
            self.abort_connection()
        except Exception:  # noqa: BLE001 - already closed
            pass

    async def stop(self) -> None:
        """Ask the app to quit; kill its process group if it has not exited within EXIT_GRACE.

        Returns only once the process has ended, so a connection counts until then."""
        if self._ended or self._process is None:
            return
        self._ended = True
        self.browser_gone = True
        process, task = self._process, self._task
        try:
            await self._bounded(self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id))
            await self._bounded(self.send_meta({"type": "quit"}))
            await self._end(process)
        finally:
            if task is not None:
                # Output is read to the end by now (the process and its pipes are gone); if not, stop reading.
                done, _ = await asyncio.wait({task}, timeout=CONTROL_TIMEOUT)
                if not done:
                    task.cancel()
                self._task = None

    async def _end(self, process: Process) -> None:
        exited = asyncio.ensure_future(process.wait())  # completes once it exited and its pipes closed
        done, _ = await asyncio.wait({exited}, timeout=EXIT_GRACE)
        if done:
            return
        log.warning(
            "Participant process %d did not exit within %.0f s of its page closing; killing it", process.pid, EXIT_GRACE
        )
        try:
            os.killpg(process.pid, signal.SIGKILL)  # pid == its process group: it leads its own session
        except ProcessLookupError:
            pass
        done, _ = await asyncio.wait({exited}, timeout=EXIT_GRACE)
        if not done:
            exited.cancel()
            log.error("Participant process %d is still running after SIGKILL", process.pid)

    @staticmethod
    async def _bounded(step: Awaitable[object]) -> None:
        try:
            await asyncio.wait_for(step, CONTROL_TIMEOUT)
        except (TimeoutError, Exception):  # noqa: BLE001 - the app is going anyway
            pass
