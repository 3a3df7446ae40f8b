"""textual-serve's Server, adapted: the page's addresses taken from the request, the browser's address
passed to each app process, and caps on connections (in all, and per address)."""

from __future__ import annotations

import asyncio
import logging
import shlex

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from .serve import MAX_CONNECTIONS, MAX_PER_ADDRESS

log = logging.getLogger("textual-serve")


class ParticipantServer(Server):
    def __init__(self, *args, behind_proxy: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.behind_proxy = behind_proxy  # --public-url given: the browser's address is in X-Forwarded-For
        self.connections = 0
        self.per_address: dict[str, int] = {}

    async def on_startup(self, app: web.Application) -> None:
        # Our own lines were printed before the server started (URL, join code); no banner.
        log.info("Serving on %s", self.public_url)

    def peer(self, request: web.Request) -> str:
        if self.behind_proxy:
            forwarded = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
            if forwarded:
                return forwarded[:100]
        return request.remote or "unknown"

    def command_for(self, request: web.Request) -> str:
        """The participant command with the browser's address, which the wrong-code limit counts by."""
        return f"FACILITATOR_PEER={shlex.quote(self.peer(request))} exec {self.command}"

    def base_url(self, request: web.Request) -> str:
        # textual-serve builds the page's script and websocket addresses from one fixed URL, which
        # is wrong for a browser that reached us by another name (a LAN address when listening on
        # 0.0.0.0). Use the address the browser asked for, unless a proxy's public URL was given.
        if self.behind_proxy:
            return self.public_url.rstrip("/")
        return f"{request.scheme}://{request.host}"

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict:
        base = self.base_url(request)
        router = request.app.router
        websocket = router["websocket"].url_for()
        socket_base = ("wss:" if base.startswith("https") else "ws:") + base.split(":", 1)[1]
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{socket_base}{websocket}",
            "config": {"static": {"url": f"{base}{router['static'].url_for(filename='/')}".rstrip("/") + "/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        # As textual-serve's own handler, but with command_for() and the connection cap.
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        peer = self.peer(request)
        if self.connections >= MAX_CONNECTIONS or self.per_address.get(peer, 0) >= MAX_PER_ADDRESS:
            log.warning("Refused a connection from %s: %d open in all, %d from there", peer, self.connections,
                        self.per_address.get(peer, 0))
            await websocket.prepare(request)
            await websocket.close(code=1013, message=b"Too many pages open; close one and reload.")
            return websocket

        self.connections += 1
        self.per_address[peer] = self.per_address.get(peer, 0) + 1
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
            self.per_address[peer] -= 1
            if not self.per_address[peer]:
                del self.per_address[peer]
            if app_service is not None:
                await app_service.stop()
        return websocket
