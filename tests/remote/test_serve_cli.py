"""`facilitator serve`: a real process on a loopback port, its printed URL and code, its refusals."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from remote_support import seed_remote  # noqa: E402
from store_support import cli_env  # noqa: E402

from facilitator.remote.room import read_round  # noqa: E402
from facilitator.storage.layout import ballots_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_serve(data_dir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "facilitator", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(data_dir),
        text=True,
    )


def serving(proc) -> str:
    """What serve printed up to the moment it serves (its signal handling set up): a Ctrl+C sent
    before that can be lost in the web server's start-up, as it can for a person at the keyboard."""
    printed = read_until(proc.stdout, "Ctrl+C")
    printed += read_until(proc.stdout, "Serving on")
    time.sleep(0.3)  # the handlers are installed as the server's start-up ends
    return printed


def read_until(stream, marker: str, timeout: float = 30) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return "".join(seen)
    raise AssertionError(f"{marker!r} not printed; got: {''.join(seen)!r}")


def get(url: str, timeout: float = 10) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_serve_prints_the_address_and_code_serves_the_page_and_stops_cleanly(store):
    session_id, state, folder = seed_remote(store)
    port = free_port()
    proc = start_serve(store.data_dir, session_id[:8], "--port", str(port))
    try:
        printed = read_until(proc.stdout, "Ctrl+C")
        assert f"http://127.0.0.1:{port}" in printed
        assert f"Join code:          {state.code}" in printed and "already open" in printed
        status, page = get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "/ws" in page
        serving = json.loads((folder / "serving.json").read_text(encoding="utf-8"))
        assert serving["url"] == f"http://127.0.0.1:{port}" and serving["pid"] == proc.pid
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert not (folder / "serving.json").exists()


def test_serve_starts_a_round_when_none_is_open(store):
    from facilitator.domain.session_factory import create_session

    with store.create(create_session("New Alliance", ["A Co", "B Co"], date="2026-11-27")) as opened:
        session_id = opened.id
    proc = start_serve(store.data_dir, session_id, "--port", str(free_port()))
    try:
        printed = serving(proc)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    state = read_round(ballots_dir(store.data_dir, session_id))
    assert state.round == 1 and state.open and state.code in printed


def test_listening_beyond_this_computer_warns_and_serves_a_page_that_works_from_elsewhere(store):
    from facilitator.remote.serve import lan_address

    session_id, _state, _folder = seed_remote(store)
    port = free_port()
    lan = lan_address()
    proc = start_serve(store.data_dir, session_id, "--host", "0.0.0.0", "--port", str(port))
    try:
        printed = read_until(proc.stdout, "Ctrl+C")
        assert f"http://{lan}:{port}" in printed  # not 127.0.0.1, which no other device can open
        # The page's script and websocket addresses follow the address the browser used.
        _status, page = get(f"http://{lan}:{port}/")
        assert f"ws://{lan}:{port}/ws" in page and f"http://{lan}:{port}/static/" in page
        _status, page = get(f"http://127.0.0.1:{port}/")
        assert f"ws://127.0.0.1:{port}/ws" in page
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    assert "Warning: listening on 0.0.0.0" in err and "join code" in err


def test_behind_a_proxy_the_page_uses_the_public_url(store):
    session_id, _state, _folder = seed_remote(store)
    port = free_port()
    proc = start_serve(store.data_dir, session_id, "--port", str(port), "--public-url", "https://meet.example.org")
    try:
        printed = read_until(proc.stdout, "Ctrl+C")
        assert "https://meet.example.org" in printed
        _status, page = get(f"http://127.0.0.1:{port}/")
        assert "wss://meet.example.org/ws" in page
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    # Without --trusted-proxy every browser seems to come from the proxy: say so, and how to fix it.
    assert "--trusted-proxy" in err and "X-Forwarded-For" in err
    proc = start_serve(
        store.data_dir,
        session_id,
        "--port",
        str(port),
        "--public-url",
        "https://meet.example.org",
        "--trusted-proxy",
        "127.0.0.1",
    )
    try:
        serving(proc)
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=20)
    assert "--trusted-proxy" not in err and "Traceback" not in err


def test_a_busy_port_or_unknown_session_is_one_clear_line(store, cli):
    session_id, _state, _folder = seed_remote(store)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = cli("serve", session_id, "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"facilitator: Cannot listen on 127.0.0.1:{port}")
    assert "Join code" not in result.stdout  # no code printed for a server that never started

    result = cli("serve", "no-such-session")
    assert result.returncode == 1 and "no-such-session" in result.stderr and len(result.stderr.splitlines()) == 1
    result = cli("serve", session_id, "--port", "70000")
    assert result.returncode == 1 and "not a port" in result.stderr


def test_serve_does_not_import_textual(store):
    """The serving process stays light: Textual is loaded only by each participant's own process."""
    code = (
        "import sys, facilitator.cli, facilitator.remote.serve, facilitator.remote.web; "
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ}, timeout=60)
    assert out.stdout.strip() == "False", out.stderr
