"""Random keys into the installed app in a real terminal: nothing a person can press may crash it.

A seeded run of FACILITATOR_MONKEY_KEYS keys (default 1,000) drawn from the app's bindings, ordinary
typing (digits, words, Unicode, text that looks like markup) and terminal resizes, starting in the
demo alliance's meeting and reaching every screen on the way (F2/F3 walk the steps, F10 goes back to
the session list, `n`, `f`, `h`, F1, F5 and Ctrl+P open the others). It fails on a traceback, on the
app exiting by itself, on a session file that is missing or no longer parses, and on a process left
behind after quitting. The seed is printed on failure; rerun one with

    FACILITATOR_MONKEY_SEED=1234 .venv/bin/python -m pytest tests/journey/test_random_keys.py

Left out on purpose: Ctrl+Q (it ends the run; it is pressed at the end), Ctrl+C and Ctrl+Z (the
terminal's own signals) and `j`, which can serve the participant view on a fixed port.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

from .terminal import KEY_GAP, KEYS, Terminal, descendants, key_bytes, session_members

SEED = int(os.environ.get("FACILITATOR_MONKEY_SEED", "20261204"))
KEY_COUNT = int(os.environ.get("FACILITATOR_MONKEY_KEYS", "1000"))

NAMED_KEYS = (
    ["tab"] * 10
    + ["shift+tab"] * 4
    + ["up", "down", "left", "right"] * 4
    + ["enter"] * 5
    + ["escape"] * 4
    + ["space", "backspace", "delete", "home", "end", "pageup", "pagedown"]
    + [f"f{number}" for number in range(1, 11)]
    + ["f2", "f3"] * 4
    + ["ctrl+n", "ctrl+s", "ctrl+r", "ctrl+p", "ctrl+b", "ctrl+t", "ctrl+e", "alt+up", "alt+down"]
)
TYPED = (
    list("0123456789?-")
    + list("rRaAeEgGsSnNfFhHtTlLmMcCdDpPyYxX") * 2
    + [
        "hello",
        "Acme Energy",
        "2027-03-31",
        "x|y",
        "# not a heading",
        "`tick`",
        "ünïcødé ✓",
        "[bold]not markup[/bold]",
        "[@click=app.quit]x[/]",
    ]
)
# Sizes a facilitator's terminal goes through: the projector, a laptop, a big screen, too small.
SIZES = [(80, 24), (120, 36), (100, 30), (60, 20), (50, 12), (100, 30)]


def test_random_keys_never_crash_the_app(tmp_path: Path) -> None:
    data_dir = tmp_path / "sessions"
    data_dir.mkdir()
    chooser = random.Random(SEED)
    started = time.monotonic()
    term = Terminal.start(data_dir, (100, 30), args=("demo",))
    sent: list[str] = []

    def fail(reason: str) -> None:
        term.kill()
        if term.traceback_seen:  # the whole traceback, for whoever fixes it
            (tmp_path / "traceback.txt").write_text(term.crash_text(), encoding="utf-8")
            reason += f" (in full: {tmp_path / 'traceback.txt'})"
        raise AssertionError(
            f"random keys, seed {SEED} (FACILITATOR_MONKEY_SEED={SEED} to rerun), after {len(sent)} "
            f"keys: {reason}\nthe last keys: {' '.join(sent[-40:])}\n"
            f"{term.crash_report() or 'the screen:' + chr(10) + term.screen_text()}"
        )

    try:
        term.wait_for_text(r"[1-6]/6 ", timeout=30)  # the demo meeting is open
    except AssertionError as error:
        fail(f"the demo did not open: {error}")
    resize_at = {KEY_COUNT * (index + 1) // (len(SIZES) + 1): size for index, size in enumerate(SIZES)}
    for index in range(KEY_COUNT):
        if index in resize_at:
            columns, lines = resize_at[index]
            term.resize(columns, lines)
            sent.append(f"<resize {columns}x{lines}>")
        if chooser.random() < 0.35:
            text = chooser.choice(TYPED)
            sent.append(repr(text))
            data = text.encode("utf-8")
        else:
            key = chooser.choice(NAMED_KEYS)
            sent.append(key)
            data = key_bytes(key)
        if term.traceback_seen:
            fail("a traceback")
        if not term.alive:
            fail(f"the app exited by itself (status {term.process.exitstatus})")
        term.process.write(data)
        time.sleep(0.15 if data == KEYS["escape"] else KEY_GAP)
    term.wait_until_quiet(0.3, timeout=5)
    if term.traceback_seen or not term.alive:
        fail("a traceback" if term.traceback_seen else "the app exited by itself")

    left_running = set(session_members(term.process.pid)) | set(descendants(term.process.pid))
    for _ in range(3):  # leave any dialog, then quit; a dialog may ask first
        term.process.write(KEYS["escape"])
        time.sleep(0.2)
    term.process.write(KEYS["ctrl+q"])
    deadline = time.monotonic() + 15
    while term.alive and time.monotonic() < deadline:
        time.sleep(0.1)
        if term.alive and "Quit" in term.screen_text() and time.monotonic() > deadline - 10:
            term.process.write(b"y")  # "quit anyway?" after a failed save
    if term.alive:
        fail("the app did not quit on Ctrl+Q")
    if term.traceback_seen:
        fail("a traceback while quitting")
    try:
        term.assert_no_process_left(sorted(left_running - {term.process.pid}))
    except AssertionError as error:
        fail(str(error))

    session_files = [path for path in data_dir.glob("*.json") if path.name != "index.json"]
    trashed = list((data_dir / "trash").glob("*.json")) if (data_dir / "trash").exists() else []
    if not session_files + trashed:
        fail("the demo session's file is gone (neither in the data folder nor in the trash)")
    for path in session_files + trashed:
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            fail(f"{path.name} no longer parses: {error}")
    print(
        f"random keys: seed {SEED}, {KEY_COUNT} keys, {time.monotonic() - started:.1f} s, "
        f"{len(session_files)} session file(s)"
    )
