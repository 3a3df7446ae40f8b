"""Helpers for the abuse tests: a server on a loopback port, clients from loopback addresses, and the
participant processes it started, found in /proc.

Only loopback addresses (127.0.0.0/8) are ever connected to or bound; every wait is bounded.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import aiohttp

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def loopback(address: str) -> str:
    if not ipaddress.ip_address(address).is_loopback:
        raise AssertionError(f"{address} is not a loopback address: the abuse tests target only 127.0.0.0/8")
    return address


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited: {proc.communicate()[1]}")
        try:
            with socket.create_connection((loopback("127.0.0.1"), port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACILITATOR_", "PYTHON"))}
    env.update({"PYTHONPATH": str(ROOT), **extra})
    return env


@contextmanager
def running(args: list[str], port: int, cwd: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """A server process (`python ARGS`) listening on 127.0.0.1:PORT, stopped with SIGINT afterwards."""
    proc = subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        env=env or server_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(port, proc)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def processes_with(marker: str, but: int | None = None) -> list[int]:
    """Pids of live processes whose command line holds MARKER (zombies are not alive), but not BUT
    (the server, whose own command line names the command it runs)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == but:
            continue
        try:
            cmdline = Path(entry.path, "cmdline").read_bytes()
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue
        if marker.encode() in cmdline and "\nState:\tZ" not in status:
            found.append(int(entry.name))
    return found


def environment_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    pairs = (item.split(b"=", 1) for item in raw.split(b"\0") if b"=" in item)
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in pairs}


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_until(condition, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


async def async_wait_until(condition, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(step)
    return bool(condition())


@asynccontextmanager
async def page(
    port: int, source: str = "127.0.0.1", width: int = 80, height: int = 24, headers: dict[str, str] | None = None
) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A browser page's websocket from SOURCE (a loopback address), closed on leaving the block."""
    connector = aiohttp.TCPConnector(local_addr=(loopback(source), 0), force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:
        url = f"http://{loopback('127.0.0.1')}:{port}/ws?width={width}&height={height}"
        async with session.ws_connect(
            url, headers=headers or {}, timeout=aiohttp.ClientWSTimeout(ws_close=2), heartbeat=None
        ) as websocket:
            yield websocket


async def refused(websocket: aiohttp.ClientWebSocketResponse, timeout: float = 5) -> bool:
    """True if the server closed this page at once as over a cap (code 1013); False if it served it."""
    try:
        message = await websocket.receive(timeout=timeout)
    except TimeoutError:
        return False
    return message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED) and websocket.close_code == 1013


def stuck_client(
    port: int, source: str, width: int, height: int, headers: dict[str, str] | None = None
) -> socket.socket:
    """A websocket that completes the handshake and then never reads a byte (a frozen browser tab)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.bind((loopback(source), 0))
    sock.settimeout(10)
    sock.connect((loopback("127.0.0.1"), port))
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    sock.sendall(
        (
            f"GET /ws?width={width}&height={height} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\n{extra}\r\n"
        ).encode("ascii")
    )
    answer = b""
    while b"\r\n\r\n" not in answer and len(answer) < 4096:
        answer += sock.recv(1)  # one byte at a time: nothing past the headers is read
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return sock
