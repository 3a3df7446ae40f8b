"""Toasts never crash the app: a suggested measure kept (k) or dropped (Del) said so with a Rich
`Text`, which the toast could not render (the next key ended the app); user text in a toast shows
as typed, whatever markup it holds."""

from __future__ import annotations

from textual.widgets._toast import Toast

from facilitator.domain.session_factory import create_session
from facilitator.tui.app import make_app
from facilitator.tui.screens.meeting import MeetingScreen
from facilitator.tui.widgets.item_table import ItemTable

SIZE = (100, 30)
HOSTILE = "Mallory [/x] [b]bold [@click=app.quit]quit[/]"


async def settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def toast_texts(app) -> list[str]:
    return [str(toast.render()) for toast in app.screen.query(Toast)]


def seed(store, partners=("Acme", "Globex")) -> str:
    session = create_session("Toast Alliance", list(partners), date="2026-03-02")
    session.agenda.step = "agreement"
    session.agenda.current_section = 2  # mutual benefits and measures
    with store.create(session) as opened:
        return opened.id


async def test_keep_and_drop_a_suggested_measure_then_more_keys(store):
    session_id = seed(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, MeetingScreen)
        await pilot.press("f9")
        await settle(app, pilot)
        table = app.screen.query_one("#section-table", ItemTable)
        assert app.focused is table
        await pilot.press("k")
        await settle(app, pilot)
        assert any("Kept: Trust between the partners" in text for text in toast_texts(app))
        await pilot.press("down", "delete")
        await settle(app, pilot)
        assert any("Dropped the suggested measure" in text for text in toast_texts(app))
        await pilot.press("down", "up", "k")  # more keys: the app is still there
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, MeetingScreen)
        await pilot.press("f10")
        await settle(app, pilot)
    saved = store.load(session_id)
    assert len(saved.measures) == 6
    assert saved.measures[0].suggested is False


async def test_hostile_text_in_toasts_shows_as_typed(store):
    """Every toast quoting the room's words that the keys reach: an action raised from a point,
    a measure that replaces a suggestion, the kept and dropped suggestions."""
    session = create_session("Toast Alliance", ["Acme", "Globex"], date="2026-03-02")
    session.agenda.step = "health-check"
    with store.create(session) as opened:
        session_id = opened.id
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press(*HOSTILE, "enter")
        await settle(app, pilot)
        assert any(HOSTILE in text for text in toast_texts(app)), toast_texts(app)
        await pilot.press("x")  # the app survives the next key
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, MeetingScreen)
        await pilot.press("f10")
        await settle(app, pilot)
    saved = store.load(session_id)
    assert saved.actions[0].text == HOSTILE


async def test_a_crash_is_reported_once_on_the_next_start(store, data_dir):
    app = make_app(store=store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert not any("crashed" in text for text in toast_texts(app))
        app._write_crash_log(RuntimeError("boom"))  # as the app's last-chance handler does
    log = next((data_dir / "logs").glob("crash-*.txt"))

    app = make_app(store=store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        shown = " ".join(toast_texts(app))
        assert "crashed last time" in shown and str(log) in shown.replace("\n", "")

    app = make_app(store=store)  # said once: the next start is quiet
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert not any("crashed" in text for text in toast_texts(app))


async def test_revealing_point_after_point_stacks_no_toasts_over_the_step(store):
    """Three partners reveal ten points, each with a perception gap, as fast as a facilitator goes.
    The score board flags each gap beside the scores; nothing is stacked over the step (a toast a
    point covered half of an 80x24 screen)."""
    from facilitator.tui.widgets.score_board import ScoreBoard

    session = create_session("Toast Alliance", ["Acme", "Globex", "Initech"], date="2026-03-02")
    session.agenda.step = "health-check"
    with store.create(session) as opened:
        session_id = opened.id
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        for _ in range(10):
            await pilot.press("3", "1", "4", "r")
            assert "PERCEPTION GAP" in str(app.screen.query_one(ScoreBoard).render())
            await pilot.press("right")
        await settle(app, pilot)
        assert toast_texts(app) == []
        await pilot.press("f10")
        await settle(app, pilot)
    saved = store.load(session_id)
    assert len(saved.points) == 10 and all(record.revealed for record in saved.points.values())
