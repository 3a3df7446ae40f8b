"""End to end in a real browser: `facilitator serve` on loopback, two participants of different
partners join from Debian's Chromium (driven by Playwright), each scores the room's point; the
facilitator's app, running at the same time, merges both ballots, keeps them blind, and shows both
scores after the reveal; each browser then shows the room's gap view.

The served terminal is a canvas, so the test reads what the apps write (ballot files, round.json, the
facilitator's widgets) and checks the browsers through screenshots. With
FACILITATOR_UPDATE_SCREENSHOTS=1 it also refreshes docs/screenshots/remote-participant.png.

Skips without /usr/bin/chromium, unless FACILITATOR_REQUIRE_BROWSER=1 (CI), where it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from store_support import cli_env

from facilitator.remote.ballots import participant_id
from facilitator.remote.room import read_round
from facilitator.tui.app import make_app
from facilitator.tui.dialogs.remote_panel import RemoteProgress
from facilitator.tui.panes.health_check import HealthCheckPane
from facilitator.tui.widgets.score_board import ScoreBoard

from .browser_support import (
    ServerProcess,
    chromium_browser,
    free_port,
    open_served_app,
    png_ok,
    press_and_settle,
    wait_for,
    wait_output_settled,
)
from .remote_support import ACME, BETA, POINT, seed_remote

ROOT = Path(__file__).resolve().parents[2]
DOC_SCREENSHOT = ROOT / "docs" / "screenshots" / "remote-participant.png"
VIEWPORT = (1000, 700)


def ballot_scores(folder: Path, partner: str, name: str) -> dict | None:
    try:
        data = json.loads((folder / f"{participant_id(partner, name)}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data["scores"]


async def join_in_browser(page, code: str, partner_index: int, name: str, folder: Path, partner: str) -> None:
    """Type as a participant does; after each key that moves the focus, wait for the app to redraw."""
    await page.keyboard.type(code)
    await press_and_settle(page, "Enter")  # to the organisations, the first one highlighted
    for _ in range(partner_index):
        await press_and_settle(page, "ArrowDown")
    await press_and_settle(page, "Enter")  # chosen: on to the name
    await page.keyboard.type(name)
    await page.keyboard.press("Enter")
    await wait_for(lambda: ballot_scores(folder, partner, name) is not None, 20, f"{name}'s ballot")
    await wait_output_settled(page, quiet=0.3)


async def test_two_partners_score_from_browsers_and_the_room_sees_both_after_reveal(store, tmp_path):
    session_id, state, folder = seed_remote(store)
    port = free_port()
    serve = [sys.executable, "-m", "facilitator", "serve", session_id, "--port", str(port)]
    people = [(0, ACME, "Ana Ruiz", "3"), (1, BETA, "Cy Diaz", "1")]

    app = make_app(store=store, open_session=session_id)
    async with (
        chromium_browser() as browser,
        ServerProcess(serve, port, env=cli_env(store.data_dir)) as server,
        app.run_test(size=(110, 34)) as pilot,
    ):
        await pilot.press("f3")  # the room is on the health check, point 1
        pages = []
        for index, partner, name, score in people:
            page = await open_served_app(browser, server.url, VIEWPORT)
            await join_in_browser(page, state.code, index, name, folder, partner)
            await page.keyboard.press(score)
            await wait_for(
                lambda partner=partner, name=name, score=score: (
                    (ballot_scores(folder, partner, name) or {}).get(POINT, {}).get("score") == int(score)
                ),
                20,
                f"{name}'s score on disk",
            )
            pages.append(page)

        # The room's screen merges both ballots on its own poll, blind.
        session = app.screen.session
        await wait_for(
            lambda: set(session.points.get(POINT).scores if POINT in session.points else ()) == {ACME, BETA},
            20,
            "both scores merged into the open session",
        )
        await pilot.pause()
        board = app.screen.query_one(ScoreBoard)
        hidden = str(board.render())
        assert hidden.count("● scored") == 2 and " 3 " not in hidden and " 1 " not in hidden
        assert "2 of 2 scored this point" in str(app.screen.query_one(RemoteProgress).render())

        before = [await page.screenshot() for page in pages]
        await pilot.press("r")
        await pilot.pause()
        shown = str(board.render())
        assert " 3 " in shown and " 1 " in shown and "PERCEPTION GAP" in shown
        assert session.points[POINT].scores == {ACME: 3, BETA: 1}
        await wait_for(lambda: POINT in read_round(folder).revealed, 10, "the reveal published to participants")

        # Each browser redraws with the gap view once its app has read the round (within a second).
        for page, blind, (_index, _partner, name, _score) in zip(pages, before, people):

            async def redrawn(page=page, blind=blind) -> bool:
                return await page.screenshot() != blind

            await wait_for(redrawn, 10, f"{name}'s browser to show the reveal", interval=0.3)
            await wait_output_settled(page, quiet=0.3)
            shot = tmp_path / f"{name.split()[0].lower()}.png"
            await page.screenshot(path=str(shot))
            assert png_ok(shot)
        if os.environ.get("FACILITATOR_UPDATE_SCREENSHOTS") == "1":
            shutil.copyfile(tmp_path / "ana.png", DOC_SCREENSHOT)

        assert isinstance(app.screen.query_one(HealthCheckPane), HealthCheckPane)
        await pilot.press("f10")
        await app.workers.wait_for_complete()

    saved = store.load(session_id)
    assert saved.points[POINT].scores == {ACME: 3, BETA: 1} and saved.points[POINT].revealed
    assert {v.name for votes in saved.points[POINT].votes.values() for v in votes.values()} == {"Ana Ruiz", "Cy Diaz"}
