"""What a step is for stays on screen at 80x24 and at the projector's 100x30: the alliance's name in
the top bar, every column of the gap board, room to type in the agreement, History's figures whole."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from tui_support import seed_demo, settle

from facilitator.app import make_app
from facilitator.remote.room import ballots_dir, open_round_for
from facilitator.widgets.meeting_clock import MeetingClock
from facilitator.widgets.remote_panel import RemoteBadge
from facilitator.widgets.save_indicator import SaveIndicator

SIZES = [(80, 24), (100, 30)]
ALLIANCE = "Coastal Corridor Alliance"  # the demo's


def inside(screen, widget) -> bool:
    return widget.display and screen.region.contains_region(widget.region)


@pytest.mark.parametrize("remote", [False, True], ids=["alone", "remote round open"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_top_bar_keeps_the_alliance_name_whole(store, size, remote):
    session_id = seed_demo(store)
    if remote:
        open_round_for(ballots_dir(store.data_dir, session_id), store.load(session_id))
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        if remote:
            screen._poll_remote()
            await settle(app, pilot, rounds=3)
            assert screen.query_one(RemoteBadge).has_class("-shown")
        title = screen.query_one("#meeting-title")
        assert str(title.render()) == ALLIANCE
        assert title.content_region.width >= cell_len(ALLIANCE), title.content_region
        for part in (SaveIndicator, MeetingClock) + ((RemoteBadge,) if remote else ()):
            assert inside(screen, screen.query_one(part)), part
