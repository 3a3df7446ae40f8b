"""The meeting workspace, driven like a facilitator drives it: keys in, then what the store holds."""

from __future__ import annotations

from facilitator.domain.session_factory import create_session, follow_up_session
from facilitator.tui.app import make_app
from facilitator.tui.panes.gap_board import GapBoardPane
from facilitator.tui.panes.health_check import HealthCheckPane
from facilitator.tui.screens.meeting import MeetingScreen
from facilitator.tui.widgets.score_board import ScoreBoard

SIZE = (100, 30)


def new_session_id(store, partners=("Acme", "Globex", "Initech")) -> str:
    with store.create(create_session("Test Alliance", list(partners), date="2026-03-02")) as opened:
        return opened.id


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def close_meeting(app, pilot) -> None:
    """Close the session the way a facilitator does: everything is flushed and the lock released."""
    await pilot.pause()  # let the last keystroke's messages reach the panes, as a human pause would
    await pilot.press("f10")
    await settle(app, pilot)


async def test_blind_scoring_reveal_and_reopen(store):
    session_id = new_session_id(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("f3")  # welcome -> health check
        pane = app.screen.query_one(HealthCheckPane)
        board = app.screen.query_one(ScoreBoard)
        assert app.focused is board
        await pilot.press("3", "1")  # Acme 3, Globex 1; Initech still to score
        text = str(board.render())
        assert "scored" in text and "3" not in text.replace("Test", ""), "scores must stay hidden before reveal"
        await pilot.press("r")
        text = str(board.render())
        assert "PERCEPTION GAP" in text and "Not scored yet: Initech" in text
        await pilot.press("?")  # Initech does not know
        await pilot.press("right")  # next point
        assert pane.point_index == 1
        await close_meeting(app, pilot)

    saved = store.load(session_id)
    record = saved.points["joint-framework"]
    assert record.scores == {"acme": 3, "globex": 1, "initech": "?"}
    assert record.revealed is True
    assert saved.agenda.step == "health-check" and saved.agenda.current_point == 1
    assert store.holder(session_id) is None, "closing the session releases its lock"

    # Reopen in a new app over the same folder: the room finds everything where it was.
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pane = app.screen.query_one(HealthCheckPane)
        assert app.screen.query_one("#steps").current == "step-health-check"
        assert pane.point_index == 1
        await pilot.press("left")
        assert "PERCEPTION GAP" in str(app.screen.query_one(ScoreBoard).render())


async def test_autosave_reaches_disk_without_closing(store):
    session_id = new_session_id(store, ("Acme", "Globex"))
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3", "4")
        await pilot.pause(1.2)  # autosave is debounced, then written off the event loop
        on_disk = store.load(session_id)
        assert on_disk.points["joint-framework"].scores == {"acme": 4}
        indicator = str(app.screen.query_one("#save-indicator").render())
        assert indicator.startswith("saved ")


async def test_every_scoring_key_on_the_board(store):
    session_id = new_session_id(store, ("Acme", "Globex", "Initech"))
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")
        board = app.screen.query_one(ScoreBoard)
        assert app.focused is board
        # Each key scores the partner under the cursor, which then moves to the next one unscored.
        await pilot.press("question_mark", "minus", "3")
        record = board.session.points["joint-framework"]
        assert record.scores == {"acme": "?", "globex": "n/a", "initech": 3}
        await pilot.press("up", "backspace")  # back to Globex, cleared
        assert record.scores == {"acme": "?", "initech": 3}
        await pilot.press("0")
        assert record.scores == {"acme": "?", "globex": 0, "initech": 3}
        assert "scored" in str(board.render()) and app.screen.is_current  # nothing else took the keys
        await close_meeting(app, pilot)
    assert store.load(session_id).points["joint-framework"].scores == {"acme": "?", "globex": 0, "initech": 3}


async def test_notes_and_agreed_score_are_kept(store):
    session_id = new_session_id(store, ("Acme", "Globex"))
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3", "e")
        await pilot.press(*"Both | sides # agree")
        await pilot.press("escape", "g")
        await pilot.press("7")
        assert "0-4" in str(app.screen.query_one("#agreed-error").render())
        await pilot.press("backspace", "2")
        await close_meeting(app, pilot)
    record = store.load(session_id).points["joint-framework"]
    assert record.notes == "Both | sides # agree"
    assert record.agreed == 2


async def test_an_agreed_score_typed_over_another_after_a_click_replaces_it(store):
    """A click places the cursor without selecting: the full one-character field must not swallow
    the next score (Textual's own Input refuses a key once it holds max_length characters)."""
    session_id = new_session_id(store, ("Acme", "Globex"))
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3", "g", "2")
        await pilot.click("#agreed-score")
        await pilot.press("end", "3")
        agreed = app.screen.query_one("#agreed-score")
        assert agreed.value == "3"
        assert store_record_agreed(app) == 3
        await close_meeting(app, pilot)
    assert store.load(session_id).points["joint-framework"].agreed == 3


def store_record_agreed(app) -> int | None:
    return app.screen.session.points["joint-framework"].agreed


async def test_second_app_cannot_open_a_session_that_is_open(store):
    session_id = new_session_id(store, ("Acme", "Globex"))
    first = store.open(session_id)
    try:
        app = make_app(store=store, open_session=session_id)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert not isinstance(app.screen, MeetingScreen)
            # Same process here, so the lock says "this window"; another process is named by pid
            # (tests/reliability covers two real processes).
            assert any("already open" in n.message for n in app._notifications)
    finally:
        first.close()


async def test_gap_board_sorts_by_gap_and_opens_a_point(store, sample_session):
    with store.create(sample_session) as opened:
        session_id = opened.id
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")  # demo starts at the health check; next is the gap board
        board = app.screen.query_one(GapBoardPane)
        table = board.query_one("DataTable")
        assert app.screen.query_one("#steps").current == "step-gaps"
        assert table.row_count == 10
        first_unsorted = table.coordinate_to_cell_key((0, 0)).row_key.value
        await pilot.press("s")
        first_sorted = table.coordinate_to_cell_key((0, 0)).row_key.value
        assert first_unsorted == "joint-framework"
        spread_of_first = table.get_cell(first_sorted, "spread")
        assert first_sorted != first_unsorted and str(spread_of_first) == "2"
        await pilot.press("enter")
        assert app.screen.query_one("#steps").current == "step-health-check"
        keys = [p.key for p in app.screen.context.checklist.points]
        assert app.screen.session.agenda.current_point == keys.index(first_sorted)


async def test_follow_up_review_shows_previous_scores(store, sample_session):
    with store.create(sample_session) as opened:
        previous_id = opened.id
    review = follow_up_session(store.load(previous_id), date="2026-09-01")
    with store.create(review) as opened:
        review_id = opened.id
    app = make_app(store=store, open_session=review_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f3")  # welcome -> health check
        await settle(app, pilot)
        await pilot.press("2", "2", "2", "r")
        text = str(app.screen.query_one(ScoreBoard).render())
        # Northwind scored 3 last time on point 1, Meridian 2.
        assert "was 3" in text and "was 2" in text
        await close_meeting(app, pilot)
    saved = store.load(review_id)
    assert saved.follows == previous_id
    assert set(saved.points["joint-framework"].scores.values()) == {2}


async def test_clock_runs_from_the_start_of_a_meeting_held_today_and_f4_pauses_it(store):
    from datetime import date

    from facilitator.tui.widgets.meeting_clock import MeetingClock

    with store.create(create_session("Test Alliance", ["Acme", "Globex"], date=date.today().isoformat())) as opened:
        session_id = opened.id
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        clock = app.screen.query_one(MeetingClock)
        assert clock.running and str(clock.render()).startswith("running")
        await pilot.pause(2.3)
        await pilot.press("f4")
        assert not clock.running and str(clock.render()).startswith("paused")
        counted = app.screen.session.agenda.elapsed.get("welcome", 0)
        assert counted >= 2
        await pilot.pause(1.2)
        assert app.screen.session.agenda.elapsed.get("welcome", 0) == counted  # paused: nothing more
        await close_meeting(app, pilot)
    assert store.load(session_id).agenda.elapsed.get("welcome", 0) == counted  # saved with the session


async def test_clock_of_a_session_dated_another_day_waits_for_f4(store):
    from facilitator.tui.widgets.meeting_clock import MeetingClock

    session_id = new_session_id(store, ("Acme", "Globex"))  # dated 2026-03-02: prepared ahead, or looked at after
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not app.screen.query_one(MeetingClock).running
        await close_meeting(app, pilot)
    assert store.load(session_id).agenda.elapsed.get("welcome", 0) == 0


async def test_clock_counts_the_current_step(store):
    session_id = new_session_id(store, ("Acme", "Globex"))
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f4")
        await pilot.pause(2.3)
        await pilot.press("f4")
        await close_meeting(app, pilot)
    assert store.load(session_id).agenda.elapsed.get("welcome", 0) >= 2
