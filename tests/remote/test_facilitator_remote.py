"""The room's screen during remote scoring: ballots written by participants' processes arrive in the
open session, stay blind until R, show who has joined and scored, and are saved; the round's code
changes with a new round and a closed round refuses ballots."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from remote_support import ACME, BETA, POINT, cast, seed_remote  # noqa: E402
from textual.widgets import DataTable, Static  # noqa: E402

from facilitator.remote.ballots import participant_id  # noqa: E402
from facilitator.remote.room import read_round  # noqa: E402
from facilitator.tui.app import make_app  # noqa: E402
from facilitator.tui.dialogs.remote_panel import RemoteBadge, RemoteProgress, RemoteScreen  # noqa: E402
from facilitator.tui.screens.meeting import MeetingScreen  # noqa: E402
from facilitator.tui.widgets.score_board import ScoreBoard  # noqa: E402

SIZE = (110, 34)


async def poll(app, pilot) -> None:
    """Run the screen's poll now (it runs every second on its own) and let its message be handled."""
    app.screen._poll_remote()
    for _ in range(2):
        await _workers_done(app)
        await pilot.pause()


async def _workers_done(app) -> None:
    # The screen's own once-a-second poll may start while ours runs: the poll worker is exclusive,
    # so one of the two is cancelled, and waiting for a cancelled worker raises WorkerCancelled.
    from textual.worker import WorkerCancelled

    for _ in range(5):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


async def test_ballots_arrive_blind_reveal_as_means_and_are_saved(store):
    session_id, state, folder = seed_remote(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("f3")  # the health check
        cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})
        cast(folder, state, ACME, "Bo Chen", {POINT: 4})
        cast(folder, state, BETA, "Cy Diaz", {POINT: 3})
        await poll(app, pilot)

        badge = str(app.screen.query_one(RemoteBadge).render())
        assert state.code in badge and "3 joined" in badge
        board = str(app.screen.query_one(ScoreBoard).render())
        assert "scored by 2 people" in board and "2.5" not in board
        progress = str(app.screen.query_one(RemoteProgress).render())
        assert "3 of 3 scored this point" in progress and "✓ Ana Ruiz" in progress

        await pilot.press("r")
        await poll(app, pilot)
        board = str(app.screen.query_one(ScoreBoard).render())
        assert "2.5" in board and "2 people, 1-4" in board
        published = read_round(folder)
        assert published.revealed[POINT].scores == {ACME: 2.5, BETA: 3}
        assert published.current_point == POINT

        await pilot.press("f10")
        await app.workers.wait_for_complete()
    saved = store.load(session_id)
    assert saved.points[POINT].scores == {ACME: 2.5, BETA: 3}
    assert {v.name for v in saved.points[POINT].votes[ACME].values()} == {"Ana Ruiz", "Bo Chen"}


async def test_a_participant_who_has_not_scored_is_shown_waiting(store):
    session_id, state, folder = seed_remote(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        cast(folder, state, ACME, "Ana Ruiz", {POINT: 2})
        cast(folder, state, BETA, "Cy Diaz", {})  # joined, not scored yet
        await poll(app, pilot)
        progress = str(app.screen.query_one(RemoteProgress).render())
        assert "1 of 2 scored this point" in progress and "… Cy Diaz" in progress
        assert "waiting for a score" in str(app.screen.query_one(ScoreBoard).render())


async def test_remote_screen_new_round_and_close(store):
    session_id, state, folder = seed_remote(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        cast(folder, state, ACME, "Ana Ruiz", {POINT: 2})
        await poll(app, pilot)
        await pilot.press("f3", "j")
        await pilot.pause()
        assert isinstance(app.screen, RemoteScreen)
        assert state.code in str(app.screen.query_one("#remote-code", Static).render())
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1 and [str(c) for c in table.get_row_at(0)[:3]] == ["Ana Ruiz", "Acme Ports", "✓"]

        await pilot.press("n")  # asks first: everyone has to join again
        await pilot.pause()
        assert read_round(folder).round == state.round
        await pilot.press("y")
        await pilot.pause()
        new = read_round(folder)
        assert new.round == state.round + 1 and new.code != state.code
        assert new.code in str(app.screen.query_one("#remote-code", Static).render())
        assert table.row_count == 0  # nobody has joined the new round yet

        await pilot.press("c", "y")
        await pilot.pause()
        assert read_round(folder).open is False
        await pilot.press("escape")
        await pilot.pause()
        assert "closed" in str(app.screen.query_one(RemoteBadge).render())
        cast(folder, new, BETA, "Cy Diaz", {POINT: 0})
        await poll(app, pilot)
        assert POINT not in app.screen.session.points or BETA not in app.screen.session.points[POINT].scores


async def test_no_remote_round_no_badge_and_no_files(store):
    from facilitator.domain.session_factory import create_session

    with store.create(create_session("Quiet Alliance", ["A Co", "B Co"], date="2026-11-27")) as opened:
        session_id = opened.id
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await poll(app, pilot)
        assert not app.screen.query_one(RemoteBadge).has_class("-shown")
    assert not (store.data_dir / f"{session_id}.ballots").exists()


async def test_a_click_on_the_badge_opens_the_details(store):
    session_id, state, folder = seed_remote(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await poll(app, pilot)
        await pilot.click(RemoteBadge)
        await pilot.pause()
        assert isinstance(app.screen, RemoteScreen)
        assert "Nobody has joined" in str(app.screen.query_one("#remote-nobody", Static).render())


async def test_the_gap_board_shows_the_range_inside_an_organisation(store):
    from facilitator.tui.panes.gap_board import GapBoardPane

    session_id, state, folder = seed_remote(store)
    cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})
    cast(folder, state, ACME, "Bo Chen", {POINT: 4})
    cast(folder, state, BETA, "Cy Diaz", {POINT: 3})
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await poll(app, pilot)
        await pilot.press("r", "f3")
        await pilot.pause()
        table = app.screen.query_one(GapBoardPane).query_one(DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[2] == " 2.5  1-4" and row[3] == " 3 "
        assert "their range" in str(app.screen.query_one("#gap-help", Static).render())


async def test_a_name_with_markup_cannot_break_the_room_screen(store):
    session_id, state, folder = seed_remote(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        cast(folder, state, ACME, "[/] [bold]Eve", {POINT: 2})
        await poll(app, pilot)
        await pilot.press("j")
        await pilot.pause()
        assert str(app.screen.query_one(DataTable).get_row_at(0)[0]) == "[/] [bold]Eve"
        await pilot.press("escape", "f2")  # the welcome step lists the team, the new name included
        await pilot.pause()
        assert app.is_running
        await pilot.press("f10")
        await app.workers.wait_for_complete()
    assert "[/] [bold]Eve" in store.load(session_id).partner(ACME).participants
    app = make_app(store=store, open_session=session_id)  # and it opens again
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen)


async def test_taking_a_person_out_withdraws_their_votes(store):
    session_id, state, folder = seed_remote(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})
        cast(folder, state, ACME, "Intruder", {POINT: 4})
        await poll(app, pilot)
        assert app.screen.session.points[POINT].scores[ACME] == 2.5
        await pilot.press("j")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        row = next(i for i in range(table.row_count) if str(table.get_row_at(i)[0]) == "Intruder")
        table.move_cursor(row=row)
        await pilot.press("delete", "y")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.session.points[POINT].scores[ACME] == 1
        assert read_round(folder).removed == [participant_id(ACME, "Intruder")]


async def test_a_score_sent_just_before_the_reveal_counts(store):
    session_id, state, folder = seed_remote(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await poll(app, pilot)
        cast(folder, state, ACME, "Ana Ruiz", {POINT: 1})  # no poll has seen it yet
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.session.points[POINT].scores == {ACME: 1}
        assert " 1 " in str(app.screen.query_one(ScoreBoard).render())
