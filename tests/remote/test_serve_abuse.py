"""The participant server under abuse (issue 13, item 3): oversized screens, pages that close while
their app will not quit, browsers that stop reading. Every process it starts must end, and the caps
count processes that are still alive.

Servers listen on 127.0.0.1 and clients connect from 127.0.0.x only; every wait is bounded.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from abuse_support import (
    HERE,
    async_wait_until,
    free_port,
    page,
    processes_with,
    refused,
    running,  # noqa: E402
    stuck_client,
    wait_until,
)

from facilitator.remote.app_process import EXIT_GRACE, MAX_HEIGHT, MAX_WIDTH, MIN_HEIGHT, MIN_WIDTH, clamp_size  # noqa: E402
from facilitator.remote.ratelimit import MAX_PER_ADDRESS  # noqa: E402


def command(*parts: str) -> str:
    return " ".join(shlex.quote(part) for part in (sys.executable, *parts))


def serve_command(port: int, app_command: str, *options: str) -> list[str]:
    return [str(HERE / "serve_command.py"), str(port), app_command, *options]


def test_clamp_size_keeps_every_request_within_bounds():
    assert clamp_size(20000, 20000) == (MAX_WIDTH, MAX_HEIGHT)
    assert clamp_size("-5", "0") == (MIN_WIDTH, MIN_HEIGHT)
    assert clamp_size("wide", None) == (80, 24)
    assert clamp_size(True, 3.5) == (80, 24)
    assert clamp_size("120", "40") == (120, 40)


async def test_screen_sizes_are_clamped_on_connect_and_on_resize(tmp_path):
    port = free_port()
    out = tmp_path / "echo"
    with running(serve_command(port, command(str(HERE / "echo_app.py"), str(out))), port, tmp_path):
        async with page(port, "127.0.0.2", width=5000, height=400) as websocket:
            assert await async_wait_until(lambda: list(out.glob("ready-*.json")), 30)
            ready = json.loads(next(out.glob("ready-*.json")).read_text())
            assert (ready["width"], ready["height"]) == (MAX_WIDTH, MAX_HEIGHT)
            events = out / f"events-{ready['pid']}.log"
            await websocket.send_json(["resize", {"width": 4000, "height": 900}])
            await websocket.send_json(["resize", {"width": 1, "height": -3}])
            await websocket.send_json(["resize", "not a size"])
            await websocket.send_str("not json at all")
            assert await async_wait_until(
                lambda: events.exists() and f"width={MIN_WIDTH}, height={MIN_HEIGHT}" in events.read_text(), 15
            )
            log = events.read_text()
            assert "width=4000" not in log and "height=900" not in log


async def test_a_process_that_will_not_quit_is_killed_with_its_group_and_counts_until_then(tmp_path):
    marker = f"stubborn-{uuid.uuid4().hex}"
    port = free_port()
    with running(
        serve_command(port, command(str(HERE / "stubborn_app.py"), "sleep", marker)), port, tmp_path
    ) as server:
        source = "127.0.0.3"
        for _ in range(MAX_PER_ADDRESS):
            async with page(port, source) as websocket:
                assert not await refused(websocket, timeout=0.5)
        # Every page is closed, but each app (and the child it started) is still running: they count.
        assert len(processes_with(marker, server.pid)) == 2 * MAX_PER_ADDRESS
        async with page(port, source) as websocket:
            assert await refused(websocket), "a 7th page was served beside six live processes"
        started = time.monotonic()
        assert wait_until(lambda: not processes_with(marker, server.pid), EXIT_GRACE + 5), processes_with(
            marker, server.pid
        )
        assert time.monotonic() - started < EXIT_GRACE + 5
        async with page(port, source) as websocket:
            assert not await refused(websocket, timeout=1)
    assert wait_until(lambda: not processes_with(marker), EXIT_GRACE + 5)


def test_a_browser_that_stops_reading_cannot_hold_a_process(tmp_path):
    marker = f"flood-{uuid.uuid4().hex}"
    port = free_port()
    app = command(str(HERE / "stubborn_app.py"), "flood", marker)
    with running(serve_command(port, app, "--heartbeat", "2", "--send-timeout", "2"), port, tmp_path) as server:
        clients = [stuck_client(port, f"127.0.0.{4 + n}", 20000, 20000) for n in range(3)]
        try:
            assert wait_until(lambda: len(processes_with(marker, server.pid)) == 6, 20)
            # The tabs stay open and never read: the server must give up on them and end their apps.
            assert wait_until(lambda: not processes_with(marker, server.pid), 2 + 2 + EXIT_GRACE + 8), processes_with(
                marker, server.pid
            )
        finally:
            for client in clients:
                client.close()
