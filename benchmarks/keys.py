"""Key press to repaint, with Textual's Pilot: the facilitator's app while scoring, and its floor.

    python -m benchmarks.keys app --data-dir DIR --session ID --presses 200
    python -m benchmarks.keys bare --presses 200

Prints one JSON object: the median and other quantiles of the latencies, in milliseconds.

Each latency runs from the moment the key is sent until the screen has painted everything the key
changed: the key is handled, the messages it caused are handled, and the compositor's update is
rendered to the bytes a terminal would receive (Pilot runs headless, where Textual skips that last
step, so it is done here, identically for both apps). Textual paints on a timer (60 frames a second
at most), so a latency includes waiting for the next frame, as it does on screen.

`app` opens the session in the meeting workspace at the health check, with the current point not
yet revealed, and types scores 1 2 3 4 0 ... on the score board. `bare` is a Textual app with one
focused `Input`, typed into with letters: the least a key press that changes the screen costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SIZE = (100, 30)


class PaintClock:
    """Wraps an app's `_display`: renders each update to terminal bytes and notes when it is done."""

    def __init__(self, app) -> None:
        self.app = app
        self.last = 0.0
        self.count = 0
        self.event = asyncio.Event()
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is not None and hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)  # what the real driver would write
            self.last = time.perf_counter()
            self.count += 1
            self.event.set()

        app._display = display

    def pending(self) -> bool:
        screen = self.app.screen
        return bool(
            screen._dirty_widgets or screen._layout_required or screen._repaint_required or screen._scroll_required
        )

    async def painted_since(self, started: float, drain=None, timeout: float = 2.0) -> float | None:
        """When the screen finished painting what changed after `started` (None: nothing changed).

        `drain` is awaited after a paint that left nothing to repaint: if the key's later
        consequences (a message handled after the first paint) dirty the screen meanwhile, the
        paint that shows them is the one counted.
        """
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if not self.pending() and self.last >= started:
                if drain is not None:
                    await drain()
                else:
                    await asyncio.sleep(0)
                if not self.pending():
                    return self.last
            self.event.clear()
            try:
                await asyncio.wait_for(self.event.wait(), timeout=0.05 if not self.pending() else 0.5)
            except TimeoutError:
                if not self.pending() and self.last < started:
                    return None
        return None


async def one_frame() -> None:
    """A frame and a little (Textual paints at most 60 times a second): what the key set off after
    its first paint (a message handled a little later) has by then dirtied the screen again."""
    await asyncio.sleep(0.02)


def send_key(app, key: str) -> None:
    """Send a key event the way `Pilot.press` does, through the driver, without Pilot's waiting.

    `Pilot.press` then waits for every widget of the screen to drain its messages, a cost that
    grows with the number of widgets and that a real terminal never pays: it would be counted in
    the latency, so keys are sent here directly.
    """
    from textual import events

    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))


async def measure(app, keys: list[str], presses: int, ready) -> dict:
    latencies, silent = [], 0
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        clock = PaintClock(app)
        for warm in keys:  # the first presses load code paths: not counted
            await pilot.press(warm)
            await clock.painted_since(0.0)
        for n in range(presses):
            key = keys[n % len(keys)]
            await pilot.pause()  # the previous press fully handled, as between two keystrokes
            started = time.perf_counter()
            send_key(app, key)
            done = await clock.painted_since(started, drain=one_frame)
            if done is None:
                silent += 1
                continue
            latencies.append((done - started) * 1000)
        app.exit()
    latencies.sort()
    return {
        "median_ms": statistics.median(latencies) if latencies else None,
        "p10_ms": latencies[len(latencies) // 10] if latencies else None,
        "p90_ms": latencies[len(latencies) * 9 // 10] if latencies else None,
        "presses": presses,
        "measured": len(latencies),
        "without_repaint": silent,
    }


async def _settle(app, pilot) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def run_app(data_dir: Path, session_id: str, presses: int) -> dict:
    from facilitator.tui.app import make_app
    from facilitator.tui.widgets.score_board import ScoreBoard

    async def ready(app, pilot) -> None:
        await _settle(app, pilot)
        board = app.screen.query_one(ScoreBoard)
        if not board.has_focus:
            board.focus()
        await _settle(app, pilot)

    app = make_app(data_dir=data_dir, open_session=session_id)
    return asyncio.run(measure(app, ["1", "2", "3", "4", "0"], presses, ready))


def run_bare(presses: int) -> dict:
    from textual.app import App
    from textual.widgets import Input

    class BareInput(App):
        def compose(self):
            yield Input(id="typed")

    async def ready(app, pilot) -> None:
        app.query_one(Input).focus()
        await pilot.pause()

    return asyncio.run(measure(BareInput(), list("abcde"), presses, ready))


def prepare_scoring_copy(source: Path, folder: Path) -> str:
    """Copy a session file into `folder`, set to score its first point blind; returns its id."""
    from facilitator.storage.session_file import encode_database

    data = json.loads(source.read_text(encoding="utf-8"))
    doc = data["session"]["1"]
    doc["agenda"]["step"] = "health-check"
    doc["agenda"]["current_point"] = 0
    first = next(iter(doc["points"]))
    doc["points"][first]["revealed"] = False
    folder.mkdir(parents=True, exist_ok=True)
    (folder / source.name).write_bytes(encode_database(data))
    return doc["id"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.keys")
    parser.add_argument("which", choices=["app", "bare"])
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--session")
    args = parser.parse_args(argv)
    if args.which == "app":
        result = run_app(args.data_dir, args.session, args.presses)
    else:
        result = run_bare(args.presses)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
