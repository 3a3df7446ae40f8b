"""Launch a program in a pseudo-terminal and time it until given text is painted.

This is how a facilitator sees a start: a real terminal (100x30, xterm-256color), the real command,
and the clock stopped when the text appears in what the program wrote to the terminal. The program
is then asked to quit (Ctrl+Q), and its peak memory (ru_maxrss) is read from the kernel when it is
reaped.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time
from dataclasses import dataclass

COLUMNS, LINES = 100, 30
CTRL_Q = b"\x11"


@dataclass
class PtyRun:
    seconds: float  # launch to the needle on screen
    peak_rss_mib: float  # the process's peak resident memory
    output: bytes


class PtyTimeout(RuntimeError):
    pass


def run_in_pty(
    argv: list[str], needles: list[bytes], env: dict[str, str] | None = None, timeout: float = 60.0, settle: float = 0.3
) -> PtyRun:
    """Start argv in a pty; time until every needle has appeared; quit it; return time and peak memory.

    `settle` seconds are waited after the needles appear before quitting, so that work the program
    does just after its first paint (a worker finishing) counts in its peak memory.
    """
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES), **(env or {})}
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    seen = b""
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        deadline = started + timeout
        waiting = list(needles)
        elapsed = None
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            now = time.perf_counter()
            # Look at the end of what came before too: a needle may straddle two reads.
            window = seen[-256:] + chunk
            seen += chunk
            waiting = [n for n in waiting if n not in window and n not in seen]
            if not waiting:
                elapsed = now - started
                break
        if elapsed is None:
            raise PtyTimeout(
                f"{needles!r} did not appear within {timeout:.0f} s; the screen showed {_printable(seen)[-600:]!r}"
            )
        _drain(fd, settle)
        os.write(fd, CTRL_Q)
        rss_kib = _reap(pid, fd, timeout=15.0)
        pid = 0
        return PtyRun(elapsed, rss_kib / 1024.0, seen)
    finally:
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
        os.close(fd)


def _drain(fd: int, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        ready, _, _ = select.select([fd], [], [], 0.02)
        if ready:
            try:
                if not os.read(fd, 1 << 16):
                    return
            except OSError:
                return


def _reap(pid: int, fd: int, timeout: float) -> int:
    """Wait for the child while draining its output; its ru_maxrss (KiB). SIGKILL after the timeout."""
    deadline = time.perf_counter() + timeout
    while True:
        done, _status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return usage.ru_maxrss
        if time.perf_counter() > deadline:
            os.kill(pid, signal.SIGKILL)
            _done, _status, usage = os.wait4(pid, 0)
            return usage.ru_maxrss
        _drain(fd, 0.02)


def _printable(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    return "".join(c if c.isprintable() else " " for c in text)
