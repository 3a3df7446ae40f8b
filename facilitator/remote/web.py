"""textual-serve's Server, adapted: the browser's address for each app process, and a connection cap."""

from __future__ import annotations

import asyncio
import logging
import shlex

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from .serve import MAX_CONNECTIONS

log = logging.getLogger("textual-serve")


class ParticipantServer(Server):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.connections = 0

    async def on_startup(self, app: web.Application) -> None:
        # Our own lines were printed before the server started (URL, join code); no banner.
        log.info("Serving on %s", self.public_url)

    def command_for(self, request: web.Request) -> str:
        """The participant command with the browser's address, which the wrong-code limit counts by."""
        peer = request.remote or "unknown"
        return f"FACILITATOR_PEER={shlex.quote(peer)} exec {self.command}"

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        # As textual-serve's own handler, but with command_for() and the connection cap.
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        if self.connections >= MAX_CONNECTIONS:
            log.warning("Refused a connection from %s: %d already open", request.remote, self.connections)
            await websocket.prepare(request)
            await websocket.close(code=1013, message=b"Too many participants connected; try again shortly.")
            return websocket

        self.connections += 1
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            app_service = AppService(
                self.command_for(request),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await app_service.start(width, height)
            try:
                await self._process_messages(websocket, app_service)
            finally:
                await app_service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # noqa: BLE001 - one browser's failure must not stop the server
            log.exception(error)
        finally:
            self.connections -= 1
            if app_service is not None:
                await app_service.stop()
        return websocket
