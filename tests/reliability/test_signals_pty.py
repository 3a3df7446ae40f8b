"""Signals and exits in a real pseudo-terminal: after an edit, SIGHUP (terminal closed), SIGTERM,
Ctrl+Q and an exception inside a handler must all leave the last edit on disk."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import textwrap
import time
from pathlib import Path

import pytest

from facilitator.domain.session_factory import create_session
from facilitator.storage.store import SessionStore

CHILD = textwrap.dedent("""
    import sys
    from facilitator.tui.app import make_app
    data_dir, session_id, crash = sys.argv[1], sys.argv[2], sys.argv[3] == "crash"
    if crash:
        from facilitator.tui.panes.health_check import HealthCheckPane
        def broken(self):
            raise RuntimeError("a bug in a handler")
        HealthCheckPane.action_reveal = broken
    app = make_app(data_dir=data_dir, open_session=session_id)
    app.run()
""")

F3 = b"\x1bOR"
RUNS_PER_EXIT = int(os.environ.get("FACILITATOR_PTY_RUNS", "3"))


def _read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if needle in seen:
                return seen
    raise AssertionError(f"{needle!r} did not appear on screen within {timeout}s")


def _drain_and_wait(pid: int, fd: int, timeout: float = 15.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            select.select([fd], [], [], 0.05)
            os.read(fd, 65536)
        except OSError:
            pass
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the app did not exit")


def _run_once(tmp_path: Path, how: str, score: int) -> dict:
    data_dir = tmp_path / f"data-{how}-{score}"
    store = SessionStore(data_dir)
    with store.create(create_session("Pty Alliance", ["Acme", "Globex"], date="2026-03-02")) as opened:
        session_id = opened.id
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    repo = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": "100",
        "LINES": "30",
        "PYTHONPATH": os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH", "")])),
    }
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real app on a real terminal
        os.execve(
            sys.executable,
            [sys.executable, str(script), str(data_dir), session_id, "crash" if how == "exception" else "ok"],
            env,
        )
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        _read_until(fd, b"Welcome", timeout=30)
        os.write(fd, F3)  # to the health check
        _read_until(fd, b"type 0-4", timeout=10)
        os.write(fd, str(score).encode())
        _read_until(fd, b"scored", timeout=10)
        # Exit at once: before the debounced autosave would have fired.
        if how == "SIGHUP":
            os.kill(pid, signal.SIGHUP)
        elif how == "SIGTERM":
            os.kill(pid, signal.SIGTERM)
        elif how == "ctrl+q":
            os.write(fd, b"\x11")
        elif how == "exception":
            os.write(fd, b"r")  # the patched reveal raises
        _drain_and_wait(pid, fd)
    finally:
        os.close(fd)
    saved = json.loads((data_dir / f"{session_id}.json").read_text(encoding="utf-8"))
    document = saved["session"]["1"]
    return {
        "scores": document["points"].get("joint-framework", {}).get("scores", {}),
        "lock_left": (data_dir / f"{session_id}.lock").exists(),
    }


@pytest.mark.parametrize("how", ["SIGHUP", "SIGTERM", "ctrl+q", "exception"])
def test_last_edit_survives_every_way_out(tmp_path, how, record_figure):
    for run in range(RUNS_PER_EXIT):
        score = run % 5
        result = _run_once(tmp_path, how, score)
        assert result["scores"] == {"acme": score}, f"run {run}: the last edit was lost on {how}"
        assert not result["lock_left"], f"run {run}: the session lock was left behind on {how}"
    record_figure(
        f"TUI in a pty, exit by {how}: runs with the last edit on disk", f"{RUNS_PER_EXIT} of {RUNS_PER_EXIT}"
    )
