"""textual-serve's Server, adapted: the page's addresses taken from the request, the browser's address
passed to each app process, caps on live participant processes (in all, and per address), and each
process run by app_process.ParticipantProcess (clamped sizes, ended for sure)."""

from __future__ import annotations

import asyncio
import json
import logging
import shlex
from typing import Any

import aiohttp_jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from facilitator.remote.app_process import ParticipantProcess, clamp_size
from facilitator.remote.proxies import Network, client_address
from facilitator.remote.ratelimit import MAX_CONNECTIONS, MAX_PER_ADDRESS

MAX_MESSAGE = 64 * 1024  # a browser sends keys, sizes and pings: nothing near this

log = logging.getLogger("textual-serve")


class ParticipantServer(Server):
    heartbeat = 15.0  # seconds between pings; a browser that does not answer within half of it is gone

    def __init__(
        self,
        command: str,
        host: str = "localhost",
        port: int = 8000,
        title: str | None = None,
        public_url: str | None = None,
        *,
        behind_proxy: bool = False,
        trusted_proxies: tuple[Network, ...] = (),
    ) -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        self.behind_proxy = behind_proxy  # --public-url given: the page's addresses use it
        self.trusted_proxies = trusted_proxies  # --trusted-proxy: only these may tell us a browser's address
        self.connections = 0
        self.per_address: dict[str, int] = {}
        self.services: set[ParticipantProcess] = set()  # one per live participant process

    async def on_startup(self, app: web.Application) -> None:
        # Our own lines were printed before the server started (URL, join code); no banner.
        log.info("Serving on %s", self.public_url)

    def peer(self, request: web.Request) -> str:
        """The browser's address, which the caps and the wrong-code limits count by (see proxies.py)."""
        return client_address(request.remote, request.headers.getall("X-Forwarded-For", []), self.trusted_proxies)

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
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
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
        # As textual-serve's own handler, but with command_for(), the caps, clamped screen sizes, and a
        # process that is ended for sure (see app_process.py). A connection counts against the caps
        # until its process has exited, not merely until its websocket closed.
        websocket = web.WebSocketResponse(heartbeat=self.heartbeat, max_msg_size=MAX_MESSAGE)
        width, height = clamp_size(request.query.get("width", "80"), request.query.get("height", "24"))
        peer = self.peer(request)
        if self.connections >= MAX_CONNECTIONS or self.per_address.get(peer, 0) >= MAX_PER_ADDRESS:
            log.warning(
                "Refused a connection from %s: %d open in all, %d from there",
                peer,
                self.connections,
                self.per_address.get(peer, 0),
            )
            await websocket.prepare(request)
            await websocket.close(code=1013, message=b"Too many pages open; close one and reload.")
            return websocket

        self.connections += 1
        self.per_address[peer] = self.per_address.get(peer, 0) + 1
        service: ParticipantProcess | None = None
        try:
            await websocket.prepare(request)
            service = ParticipantProcess(
                self.command_for(request),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=lambda: _close(websocket),
                download_manager=self.download_manager,
                debug=self.debug,
                abort=lambda: _drop_connection(request),
            )
            self.services.add(service)
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            pass  # the server is stopping: the process is still ended below
        except Exception as error:  # noqa: BLE001 - one browser's failure must not stop the server
            log.exception(error)
        finally:
            try:
                if service is not None:
                    await asyncio.shield(service.stop())
            finally:
                self.services.discard(service)
                _drop_connection(request)  # a browser that stopped reading cannot hold the socket
                self.connections -= 1
                self.per_address[peer] -= 1
                if not self.per_address[peer]:
                    del self.per_address[peer]
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """The browser's messages, as textual-serve reads them, with sizes clamped and bad ones ignored."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(*clamp_size(data.get("width"), data.get("height")))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def on_shutdown(self, app: web.Application) -> None:
        # Ctrl+C: end every participant's process before the server goes.
        await asyncio.gather(*(service.stop() for service in list(self.services)), return_exceptions=True)


def _drop_connection(request: web.Request) -> None:
    """Close the browser's connection at once (no closing handshake), if it is still open."""
    if request.transport is not None:
        request.transport.abort()


async def _close(websocket: web.WebSocketResponse) -> None:
    """Close the websocket, as textual-serve's AppService expects it (it awaits nothing back)."""
    await websocket.close()
