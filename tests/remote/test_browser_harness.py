"""The browser end-to-end harness, proved on a tiny app: textual-serve serves echo_app.py, Debian's
Chromium (driven by Playwright) opens it twice, as two participants at once; each types a name,
picks the second radio option with the keyboard and sends; each app process writes its own file.

Keys go to the app through xterm's hidden textarea (page.keyboard). Textual hands each key to the
widget focused when the key arrives, so after a key that moves the focus (Tab, Shift+Tab) the test
waits for the app's state file to show the new focus before it sends more keys; typing straight on
sends the next keys to the old widget (seen here: about one run in three).

Skips without /usr/bin/chromium, unless FACILITATOR_REQUIRE_BROWSER=1 (CI), where it fails instead.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pytest

from .browser_support import (
    ServerProcess,
    chromium_browser,
    free_port,
    open_served_app,
    png_ok,
    wait_for,
)

HERE = Path(__file__).resolve().parent
SERVE_ECHO = HERE / "serve_echo.py"
VIEWPORT = (1000, 700)


@pytest.fixture
async def browser():
    started = time.perf_counter()
    async with chromium_browser() as browser:
        browser.launch_seconds = time.perf_counter() - started  # reported by the test below
        yield browser


def _new_file(folder: Path, pattern: str, seen: set[Path]) -> Path | None:
    new = sorted(set(folder.glob(pattern)) - seen)
    return new[0] if len(new) == 1 else None


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


async def _focus_moved(out: Path, pid: int, widget_id: str) -> None:
    """Wait until the app says `widget_id` has focus. Textual sends each key to the widget focused
    when the key arrives, so keys typed right after a Tab would still go to the old widget."""
    await wait_for(
        lambda: _read_json(out / f"state-{pid}.json")["focused"] == widget_id, 10, f"focus on #{widget_id} in app {pid}"
    )


async def _answer(page, out: Path, pid: int, text: str, *, select_key: str, back_to_input: bool) -> None:
    """Type into the Input (focused at start); Tab to the RadioSet, whose first option is highlighted;
    Down to the second option and `select_key` (Enter or space) to press it; then send: Tab to the
    Button and Enter, or Shift+Tab back to the Input and Enter."""
    await page.keyboard.type(text)
    await page.keyboard.press("Tab")
    await _focus_moved(out, pid, "choice")
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press(select_key)
    await wait_for(
        lambda: _read_json(out / f"state-{pid}.json")["choice"] == "Disagree",
        10,
        f"the second option pressed in app {pid}",
    )
    await page.keyboard.press("Shift+Tab" if back_to_input else "Tab")
    await _focus_moved(out, pid, "text" if back_to_input else "send")
    await page.keyboard.press("Enter")


def _app_logs(out: Path) -> str:
    return "\n".join(f"--- {path.name}\n{path.read_text()}" for path in sorted(out.glob("*-*.*")))


async def test_two_participants_type_choose_and_send(browser, tmp_path: Path) -> None:
    test_started = time.perf_counter()
    out = tmp_path / "out"
    out.mkdir()
    port = free_port()
    timings: dict[str, float] = {"browser_launch": browser.launch_seconds}

    async with ServerProcess([sys.executable, str(SERVE_ECHO), str(port), str(out)], port) as server:
        timings["server_start"] = server.started_in
        pages, ready_files = [], []
        try:
            # One at a time, so that each page is matched to the app process that writes its files.
            for n in range(2):
                seen = set(out.glob("ready-*.json"))
                started = time.perf_counter()
                page = await open_served_app(
                    browser, server.url, VIEWPORT, ready=lambda seen=seen: _new_file(out, "ready-*.json", seen)
                )
                timings[f"page{n + 1}_ready"] = time.perf_counter() - started
                pages.append(page)
                ready_files.append(_new_file(out, "ready-*.json", seen))

            ready = [_read_json(path) for path in ready_files]
            assert ready[0]["pid"] != ready[1]["pid"], "each browser connection runs its own app process"
            for info in ready:  # a 1000x700 viewport gives a terminal of about 100-125 x 35-45 cells
                assert 60 <= info["width"] <= 200 and 20 <= info["height"] <= 80, info

            # Both participants at once: Enter on the option, then Tab to the Button and Enter, for
            # the first; space on the option, then Shift+Tab back to the Input and Enter, for the second.
            started = time.perf_counter()
            await asyncio.gather(
                _answer(pages[0], out, ready[0]["pid"], "Ada Lovelace", select_key="Enter", back_to_input=False),
                _answer(pages[1], out, ready[1]["pid"], "Grace Hopper", select_key=" ", back_to_input=True),
            )
            results = []
            for info in ready:
                path = out / f"result-{info['pid']}.json"
                await wait_for(path.exists, 15, f"{path.name}")
                results.append(_read_json(path))
            timings["answer_both"] = time.perf_counter() - started

            assert results[0] == {
                "pid": ready[0]["pid"],
                "text": "Ada Lovelace",
                "choice": "Disagree",
                "via": "button",
            }, _app_logs(out)
            assert results[1] == {
                "pid": ready[1]["pid"],
                "text": "Grace Hopper",
                "choice": "Disagree",
                "via": "input",
            }, _app_logs(out)
            assert sorted(p.name for p in out.glob("result-*.json")) == sorted(
                f"result-{info['pid']}.json" for info in ready
            )

            for n, page in enumerate(pages, 1):
                shot = tmp_path / f"participant{n}.png"
                await page.screenshot(path=str(shot))
                assert png_ok(shot), shot
        finally:
            for page in pages:
                await page.context.close()

    timings["test_total"] = time.perf_counter() - test_started
    print(
        "\nbrowser harness timings (s): "
        + ", ".join(f"{k}={v:.2f}" for k, v in timings.items())
        + f"; terminal {ready[0]['width']}x{ready[0]['height']} for viewport {VIEWPORT[0]}x{VIEWPORT[1]}"
    )
