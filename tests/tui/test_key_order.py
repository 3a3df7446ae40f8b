"""Keys that arrive in one burst (a quick typist, a paste, a terminal sending several at once) are
handled as if typed one by one: each key once the one before has had its effect.

The keys are posted to the app together, without waiting between them, the way the terminal
driver posts what it read in one go (the Pilot's `press` waits for the app between keys, so it
could never show the fault)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input
from tui_support import SIZE, settle

from facilitator.tui.screens.meeting import MeetingScreen
from facilitator.tui.screens.new_session import NewSessionScreen


def burst(app, *keys: str) -> None:
    """Post every key at once, as the driver does with a burst it read."""
    for key in keys:
        for one in [key] if len(key) != 1 and key in _NAMED else list(key):
            app.post_message(events.Key(one, one if len(one) == 1 else None))


_NAMED = {"tab", "shift+tab", "enter", "f3", "f2", "escape", "backspace", "ctrl+s", "end", "ctrl+u"}


async def test_text_after_tab_lands_in_the_next_field(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, NewSessionScreen)
        burst(app, "Quayside Pact", "tab", "tab", "tab", "Sam Reyes")
        await settle(app, pilot, rounds=4)
        assert app.screen.query_one("#alliance", Input).value == "Quayside Pact"
        assert app.screen.query_one("#facilitator", Input).value == "Sam Reyes"


async def test_a_score_typed_with_the_key_that_opens_scoring(app_factory, store):
    from tui_support import seed_demo

    session_id = seed_demo(store)
    app = app_factory(open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, MeetingScreen)
        screen.show_step("welcome")
        await settle(app, pilot)
        burst(app, "f3", "3")  # to the health check, and the first score, in one go
        await settle(app, pilot, rounds=4)
        assert screen.session.agenda.step == "health-check"
        point = screen.context.checklist.points[screen.session.agenda.current_point]
        first_partner = screen.session.partners[0].key
        assert screen.session.points[point.key].scores.get(first_partner) == 3


async def test_keys_wait_for_a_key_whose_handler_is_still_at_work(app_factory, monkeypatch):
    """A handler at work has taken its message off the queue; the keys behind it must wait for it
    all the same. Here the form takes a moment over each key on its way up to the app's Tab
    binding (as on a cold start or a busy machine): the text typed after Tab must still land in
    the next field, not in the one Tab is leaving (nor be selected by its select-on-focus)."""
    import asyncio

    async def slow_on_key(self, event) -> None:
        await asyncio.sleep(0.05)  # the screen is at work on each key on its way to the app

    monkeypatch.setattr(NewSessionScreen, "on_key", slow_on_key, raising=False)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        burst(app, "Quayside Pact", "tab", "end", "ctrl+u", "2026-05-04", "tab", "tab", "Sam Reyes")
        form = app.screen
        for _ in range(100):
            await pilot.pause(0.05)
            if app._keys_in_order.waiting == 0 and form.query_one("#facilitator", Input).value:
                break
        assert [form.query_one(f"#{field}", Input).value for field in ("alliance", "date", "facilitator")] == [
            "Quayside Pact",
            "2026-05-04",
            "Sam Reyes",
        ]
