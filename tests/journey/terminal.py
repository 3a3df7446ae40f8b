"""A real terminal for the installed `facilitator`: a pseudo-terminal to type into, pyte to read it.

The journey and random-key tests drive the app the way a person does: the installed console script
(the venv's `bin/facilitator`, not an imported App), a real pty of a given size, keys typed one at a
time at a person's pace (`type_slowly`) or all at once as a paste or a quick typist sends them
(`burst`), and the screen read back as text (`screen_text`, `wait_for_text`).

A reader thread drains the pty all the time, so the app never blocks writing to a terminal nobody
reads, and feeds pyte, which keeps the screen as a person would see it. Every byte the app writes is
also searched for "Traceback" (plain, or Rich's boxed kind), so a crash is noticed even when the
screen is redrawn over it.

    with Terminal.start(data_dir, size=(100, 30)) as term:
        term.wait_for_text(r"No sessions yet")
        term.press("n")
        term.type_slowly("Tri-Port Alliance")
    # leaving the block quits with Ctrl+Q and checks that no process is left behind
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyte
from ptyprocess import PtyProcess

RAW_KEPT = 50_000_000  # bytes of the app's output kept to search (`Terminal.written`)

# What xterm sends for each named key; Textual reads these sequences.
KEYS: dict[str, bytes] = {
    "enter": b"\r",
    "tab": b"\t",
    "shift+tab": b"\x1b[Z",
    "escape": b"\x1b",
    "space": b" ",
    "backspace": b"\x7f",
    "delete": b"\x1b[3~",
    "insert": b"\x1b[2~",
    "up": b"\x1b[A",
    "down": b"\x1b[B",
    "right": b"\x1b[C",
    "left": b"\x1b[D",
    "home": b"\x1b[H",
    "end": b"\x1b[F",
    "pageup": b"\x1b[5~",
    "pagedown": b"\x1b[6~",
    "alt+up": b"\x1b[1;3A",
    "alt+down": b"\x1b[1;3B",
    "alt+right": b"\x1b[1;3C",
    "alt+left": b"\x1b[1;3D",
    "shift+up": b"\x1b[1;2A",
    "shift+down": b"\x1b[1;2B",
    "ctrl+home": b"\x1b[1;5H",
    "ctrl+end": b"\x1b[1;5F",
    "ctrl+pageup": b"\x1b[5;5~",
    "ctrl+pagedown": b"\x1b[6;5~",
    "f1": b"\x1bOP",
    "f2": b"\x1bOQ",
    "f3": b"\x1bOR",
    "f4": b"\x1bOS",
    "f5": b"\x1b[15~",
    "f6": b"\x1b[17~",
    "f7": b"\x1b[18~",
    "f8": b"\x1b[19~",
    "f9": b"\x1b[20~",
    "f10": b"\x1b[21~",
}
for _letter in "abcdefghijklmnopqrstuvwxyz":
    KEYS[f"ctrl+{_letter}"] = bytes([ord(_letter) - ord("a") + 1])

# A person's pace: a quick typist, every key its own read for the app ...
KEY_GAP = 0.04
# After a command key (Tab, Enter, F3, `e` for notes) a person sees what it did before going on: the
# quickest reaction to a screen is about a quarter of a second.
REACTION = 0.15
# Tabbing through a form, a person finds the highlighted field before typing into it.
TAB_REACTION = 0.4
# The screen has settled when nothing has been drawn for this long.
SETTLED = 0.15
# Keys that move the focus (Tab always; Enter, Escape and F7-F9 often): a person waits to see the
# highlight move before typing on.
FOCUS_KEYS = {"tab", "shift+tab", "enter", "escape", "f7", "f8", "f9", "ctrl+n"}
BORDER_CHARACTERS = set("▊▎▔▁")
ANSI_CODES = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
# Textual reads a lone ESC as the Escape key only after a short wait for more of a sequence.
ESCAPE_GAP = 0.12


def installed_facilitator() -> Path:
    """The console script installed next to this interpreter (the venv's bin), as a user starts it."""
    bin_dir = Path(sys.executable).parent
    found = shutil.which("facilitator", path=str(bin_dir))
    if found is None:
        raise RuntimeError(
            f"no installed `facilitator` console script in {bin_dir}: "
            'install the project into this venv (pip install -e ".[test]")'
        )
    return Path(found)


def key_bytes(key: str) -> bytes:
    """The bytes a terminal sends for one key: a name from KEYS, or one character typed as itself."""
    if key in KEYS:
        return KEYS[key]
    if len(key) == 1:
        return key.encode("utf-8")
    raise KeyError(f"unknown key {key!r}")


def _stat_fields(entry: Path) -> list[str] | None:
    try:
        stat = (entry / "stat").read_text()
    except OSError:
        return None
    # The fields after the command name (which may hold spaces): state ppid pgrp session ...
    return stat[stat.rfind(")") + 2 :].split()


def descendants(pid: int) -> list[int]:
    """Every live process started by `pid`, its children's children included."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(entry)) and fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def session_members(session_id: int) -> list[int]:
    """Every live process in the given terminal session (the app started it with setsid)."""
    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
        and (fields := _stat_fields(entry))
        and fields[0] != "Z"
        and int(fields[3]) == session_id
    ]


class AppCrashed(AssertionError):
    """The app wrote a traceback or exited when nobody asked it to."""


class Terminal:
    """One running `facilitator` in a pseudo-terminal, with the screen a person would see."""

    def __init__(self, process: PtyProcess, size: tuple[int, int]) -> None:
        columns, lines = size
        self.process = process
        self.screen = pyte.Screen(columns, lines)
        self._stream = pyte.ByteStream(self.screen)
        self._lock = threading.Lock()
        self._tail = b""  # the last bytes written, to find "Traceback" across two reads
        self.traceback_seen = False
        self._crash_bytes = b""  # what the app wrote from its traceback on, for the failure message
        self.output_bytes = 0
        self.written = bytearray()  # every byte the app wrote (the first RAW_KEPT), as a terminal got it
        self.sent: deque[str] = deque(maxlen=40)  # the last keys and texts sent, for failure messages
        self._reader = threading.Thread(target=self._read_forever, name="pty-reader", daemon=True)
        self._reader.start()

    # -- starting and stopping ------------------------------------------------------------------

    @classmethod
    def start(
        cls,
        data_dir: Path,
        size: tuple[int, int] = (100, 30),
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> Terminal:
        """Start the installed app over `data_dir` in a terminal of `size` (columns, lines)."""
        columns, lines = size
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in ("COLUMNS", "LINES", "NO_COLOR", "TEXTUAL", "TMUX")
        }
        environment.update(
            {
                "TERM": "xterm-256color",
                "COLORTERM": "truecolor",
                "FACILITATOR_DATA_DIR": str(data_dir),
                "HOME": str(data_dir.parent),
                **(env or {}),
            }
        )
        process = PtyProcess.spawn(
            [str(installed_facilitator()), *args],
            env=environment,
            cwd=str(data_dir.parent),
            dimensions=(lines, columns),
        )
        return cls(process, size)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if error is None:
            self.quit()
        else:
            self.kill()

    def quit(self, timeout: float = 15.0) -> None:
        """Quit with Ctrl+Q as a person does; the app must exit cleanly and leave no process behind."""
        members = self.processes()
        self.press("ctrl+q")
        self.wait_for_exit(timeout)
        self.assert_no_process_left(members)

    def processes(self) -> list[int]:
        """The app's own processes besides itself: its terminal session and its children."""
        found = set(session_members(self.process.pid)) | set(descendants(self.process.pid))
        return sorted(found - {self.process.pid})

    def wait_for_exit(self, timeout: float = 15.0) -> int:
        deadline = time.monotonic() + timeout
        while self.process.isalive():
            if time.monotonic() > deadline:
                screen = self.screen_text()
                self.kill()
                raise AssertionError(f"the app did not exit within {timeout}s; the screen:\n{screen}")
            time.sleep(0.05)
        self._reader.join(timeout=5)
        if self.traceback_seen:
            raise AppCrashed(f"the app wrote a traceback:\n{self.crash_report()}")
        status = self.process.exitstatus
        assert status == 0, f"the app exited with status {status} (signal {self.process.signalstatus})"
        return status

    def assert_no_process_left(self, seen_before: list[int] = ()) -> None:
        """No process of the app's terminal session, nor any child seen earlier, may outlive it."""
        deadline = time.monotonic() + 5
        while True:
            left = set(session_members(self.process.pid))
            left |= {pid for pid in seen_before if Path(f"/proc/{pid}").exists() and _alive(pid)}
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        for pid in left:  # do not leave them running for the next test
            _kill(pid)
        assert not left, f"processes left behind after the app quit: {sorted(left)}"

    def kill(self) -> None:
        """Stop the app and everything it started, whatever state it is in (used after a failure)."""
        for pid in self.processes():
            _kill(pid)
        if self.process.isalive():
            self.process.terminate(force=True)
        self._reader.join(timeout=5)

    @property
    def alive(self) -> bool:
        return self.process.isalive()

    # -- reading the screen ---------------------------------------------------------------------

    def _read_forever(self) -> None:
        while True:
            try:
                chunk = self.process.read(65536)
            except EOFError:
                return
            except OSError:
                return
            with self._lock:
                self._stream.feed(chunk)
                self.output_bytes += len(chunk)
                if len(self.written) < RAW_KEPT:
                    self.written += chunk
                window = self._tail + chunk
                if not self.traceback_seen and b"Traceback" in window:  # Rich styles the rest
                    self.traceback_seen = True
                    self._crash_bytes = window[window.index(b"Traceback") :]
                elif self.traceback_seen and len(self._crash_bytes) < 500_000:
                    self._crash_bytes += chunk
                self._tail = window[-64:]

    def screen_text(self) -> str:
        """The screen as lines of text, as a person reads it."""
        with self._lock:
            return "\n".join(line.rstrip() for line in self.screen.display)

    def screen_lines(self) -> list[str]:
        return self.screen_text().split("\n")

    def cursor(self) -> tuple[int, int]:
        with self._lock:
            return self.screen.cursor.x, self.screen.cursor.y

    def wait_for_text(self, pattern: str, timeout: float = 10.0, flags: int = re.MULTILINE) -> re.Match:
        """Wait until `pattern` (a regular expression) is on screen; fail with the screen if not."""
        expression = re.compile(pattern, flags)
        deadline = time.monotonic() + timeout
        while True:
            match = expression.search(self.screen_text())
            if match:
                return match
            self._check_running()
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{pattern!r} did not appear within {timeout}s; the screen:\n"
                    f"{self.screen_text()}\n{self.last_sent()}"
                )
            time.sleep(0.05)

    def wait_for_no_text(self, pattern: str, timeout: float = 10.0) -> None:
        """Wait until `pattern` is no longer on screen (a dialog closed, a toast gone)."""
        expression = re.compile(pattern, re.MULTILINE)
        deadline = time.monotonic() + timeout
        while expression.search(self.screen_text()):
            self._check_running()
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{pattern!r} still on screen after {timeout}s:\n{self.screen_text()}\n{self.last_sent()}"
                )
            time.sleep(0.05)

    def wait_until_quiet(self, quiet: float = 0.25, timeout: float = 5.0) -> None:
        """Wait until the app has drawn nothing for `quiet` seconds (a screen finished painting)."""
        deadline = time.monotonic() + timeout
        last, since = self.output_bytes, time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.01)
            if self.output_bytes != last:
                last, since = self.output_bytes, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return

    def crash_text(self) -> str:
        """Everything the app wrote from its traceback on, without terminal codes."""
        return ANSI_CODES.sub("", self._crash_bytes.decode("utf-8", "replace"))

    def crash_report(self) -> str:
        """The traceback's lines that say where it broke and why."""
        lines = [line.strip(" │╭╮╰╯─") for line in re.split(r"[\r\n]+", self.crash_text())]
        return "\n".join(line for line in lines if re.search(r"\.py:\d+|^in \w|Error|Exception|NoMatches|❱", line))

    def last_sent(self) -> str:
        return "the last keys sent, oldest first: " + " ".join(self.sent)

    def _check_running(self) -> None:
        if self.traceback_seen:
            raise AppCrashed(f"the app wrote a traceback:\n{self.crash_report()}\n{self.last_sent()}")
        if not self.process.isalive():
            raise AppCrashed(f"the app exited (status {self.process.exitstatus}); the screen:\n{self.screen_text()}")

    # -- typing ---------------------------------------------------------------------------------

    def _send(self, data: bytes) -> None:
        self._check_running()
        self.process.write(data)

    def press(self, *keys: str, gap: float = KEY_GAP) -> None:
        """Press keys one after another at a person's pace (`press("tab", "tab", "enter")`).

        Each is a command (Tab, Enter, F3, or a letter the screen binds, such as `r` for reveal), so a
        person looks at the screen before going on: at least REACTION, and until the app has redrawn
        and is quiet again (at most about half a second). Text goes through `type_slowly`."""
        for key in keys:
            self.wait_until_quiet(SETTLED, timeout=2.0)  # what the last key did is on screen
            drawn, borders = self.output_bytes, self.border_colours()
            self.sent.append(key)
            self._send(key_bytes(key))
            time.sleep(ESCAPE_GAP if key == "escape" else gap)
            if key in FOCUS_KEYS:
                self._see_focus_move(borders)
            self._look(drawn, at_least=TAB_REACTION if key in ("tab", "shift+tab") else REACTION)

    def border_colours(self) -> tuple:
        """The colour of every border cell: Textual shows focus only by colouring a border."""
        with self._lock:
            return tuple(
                cell.fg
                for row in self.screen.buffer.values()
                for cell in row.values()
                if cell.data in BORDER_CHARACTERS
            )

    def _see_focus_move(self, borders_before: tuple, timeout: float = 1.5) -> None:
        """Wait until a border changes colour (the focus moved), as a person watches for it."""
        deadline = time.monotonic() + timeout
        while self.border_colours() == borders_before and time.monotonic() < deadline:
            time.sleep(0.02)

    def _look(self, drawn_before: int, at_least: float = 0.0, quiet: float = 0.06, timeout: float = 0.6) -> None:
        """Wait for the screen to change after a key, then to stay still for `quiet` seconds."""
        started = time.monotonic()
        deadline = started + max(timeout, at_least)
        while self.output_bytes == drawn_before and time.monotonic() < deadline:
            time.sleep(0.01)
        last, since = self.output_bytes, time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.01)
            if self.output_bytes != last:
                last, since = self.output_bytes, time.monotonic()
            elif time.monotonic() - since >= quiet and time.monotonic() - started >= at_least:
                return

    def type_slowly(self, text: str, gap: float = KEY_GAP) -> None:
        """Type text one character at a time, each its own keystroke, as a person types."""
        self.sent.append(repr(text))
        self.wait_until_quiet(SETTLED, timeout=2.0)  # a person starts typing once the screen is still
        for character in text:
            self._send(key_bytes("enter" if character == "\n" else character))
            time.sleep(gap)

    def burst(self, *keys: str) -> None:
        """Send keys and text in one write, as a paste or a very quick typist does.

        Each argument is a key name from KEYS or text to type (`burst("tab", "tab", "Acme")`)."""
        self.sent.append("burst(" + ", ".join(repr(key) for key in keys) + ")")
        data = b"".join(KEYS[key] if key in KEYS else key.encode("utf-8") for key in keys)
        self._send(data)
        time.sleep(KEY_GAP)

    def send_bytes(self, data: bytes) -> None:
        """Bytes as they are, which need not be UTF-8: what a terminal set to Latin-1 sends."""
        self.sent.append(repr(data))
        self._send(data)
        time.sleep(KEY_GAP)

    def resize(self, columns: int, lines: int) -> None:
        """Resize the terminal as a window manager does (the kernel sends the app SIGWINCH)."""
        with self._lock:
            self.screen.resize(lines, columns)
        self.process.setwinsize(lines, columns)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rfind(")") + 2] != "Z"


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def running_app(data_dir: Path, size: tuple[int, int] = (100, 30), args: tuple[str, ...] = ()) -> Iterator[Terminal]:
    """The app in a terminal for the length of a `with` block; quits it and checks it is gone."""
    data_dir.mkdir(parents=True, exist_ok=True)
    terminal = Terminal.start(data_dir, size, args)
    with terminal:
        yield terminal
