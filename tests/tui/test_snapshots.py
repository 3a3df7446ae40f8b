"""Snapshots of the screens a room sees, at the projector size (100x30).

Regenerate after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`, look
at the SVGs, then copy them to docs/screenshots/ (README shows them). Everything time-based is
frozen: the save stamps, the clock (paused), the cursor blink.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from textual.widgets import Input, TextArea

from facilitator.domain import model as model_module
from facilitator.domain.demo import build_demo_session
from facilitator.domain.session_factory import create_session
from facilitator.storage.store import SessionStore
from facilitator.tui.app import make_app

SIZE = (100, 30)
FROZEN_STAMP = "2026-03-02T10:14:03+00:00"


@pytest.fixture
def frozen(tmp_path, monkeypatch):
    """A data folder under a fake home (shown as ~/sessions), fixed save stamps, UTC."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(model_module, "now_iso", lambda: FROZEN_STAMP)
    store = SessionStore(tmp_path / "sessions")
    yield store
    monkeypatch.undo()
    time.tzset()


def demo_id(store) -> str:
    with store.create(build_demo_session(date(2026, 3, 2))) as opened:
        return opened.id


async def steady(pilot) -> None:
    """Wait for workers and autosave, stop cursors blinking, and let the screen settle."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    indicators = pilot.app.screen.query("#save-indicator")
    for _ in range(60):  # an edit (moving to another point) is saved within about a second
        if not indicators or str(indicators.first().render()).startswith("saved"):
            break
        await pilot.pause(0.05)
    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, (Input, TextArea)):
            widget.cursor_blink = False
    await pilot.pause()


def test_session_list(frozen, snap_compare):
    demo_id(frozen)
    with frozen.create(
        create_session(
            "Harbour Data Partnership", ["Meridian Data Systems", "Portside Council"], date="2025-10-14", kind="review"
        )
    ):
        pass
    (frozen.data_dir / "old-notes.json").write_text('{"half a file', encoding="utf-8")
    assert snap_compare(make_app(store=frozen), terminal_size=SIZE, run_before=steady)


def test_health_check_before_reveal(frozen, snap_compare):
    session = create_session(
        "Coastal Corridor Alliance",
        ["Northwind Logistics", "Harbourline Freight", "Meridian Data Systems"],
        date="2026-03-02",
    )
    session.agenda.step = "health-check"
    session.agenda.current_point = 2
    for point in ("joint-framework", "needs-shared"):
        session.point(point).scores = {"northwind-logistics": 3, "harbourline-freight": 2, "meridian-data-systems": 3}
        session.point(point).revealed = True
    session.point("mutual-benefit").scores = {"northwind-logistics": 3, "harbourline-freight": 1}
    with frozen.create(session) as opened:
        session_id = opened.id
    assert snap_compare(make_app(store=frozen, open_session=session_id), terminal_size=SIZE, run_before=steady)


def test_health_check_after_reveal(frozen, snap_compare):
    session_id = demo_id(frozen)

    async def reveal_point_three(pilot):
        await steady(pilot)
        await pilot.press("right", "right")
        await steady(pilot)
        # The move is an edit: save it now, so the top bar shows "saved", not a race between the
        # screenshot and the autosave's 0.4 s debounce.
        pilot.app.screen.save_now()
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(
        make_app(store=frozen, open_session=session_id), terminal_size=SIZE, run_before=reveal_point_three
    )


def test_gap_board(frozen, snap_compare):
    session_id = demo_id(frozen)

    async def sorted_gap_board(pilot):
        await steady(pilot)
        await pilot.press("f3", "s")
        await steady(pilot)

    assert snap_compare(
        make_app(store=frozen, open_session=session_id), terminal_size=SIZE, run_before=sorted_gap_board
    )


def test_agreement_editor(frozen, snap_compare):
    session_id = demo_id(frozen)

    async def agreement(pilot):
        await steady(pilot)
        await pilot.press("f3", "f3")
        await steady(pilot)

    assert snap_compare(make_app(store=frozen, open_session=session_id), terminal_size=SIZE, run_before=agreement)


def test_health_check_with_remote_scoring(frozen, snap_compare):
    """The room's view while people score from their devices: the code in the top bar, who has scored."""
    from facilitator.remote.ballots import Ballot, BallotScore, participant_id, write_ballot
    from facilitator.remote.room import RoundState, write_round
    from facilitator.storage.layout import ballots_dir

    session = create_session(
        "Coastal Corridor Alliance",
        ["Northwind Logistics", "Harbourline Freight", "Meridian Data Systems"],
        date="2026-03-02",
    )
    session.agenda.step = "health-check"
    with frozen.create(session) as opened:
        session_id = opened.id
    folder = ballots_dir(frozen.data_dir, session_id)
    state = RoundState(
        session=session_id,
        alliance=session.alliance,
        checklist_version=1,
        partners=[(p.key, p.name) for p in session.partners],
        round=1,
        code="K7M-4QX",
    )
    write_round(folder, state)
    people = [
        ("northwind-logistics", "Ana Ruiz", 1),
        ("northwind-logistics", "Bo Chen", 4),
        ("harbourline-freight", "Cy Diaz", 3),
        ("meridian-data-systems", "Dee Evans", None),
    ]
    for partner, name, score in people:
        write_ballot(
            folder,
            Ballot(
                participant=participant_id(partner, name),
                partner=partner,
                name=name,
                round=1,
                code="K7M-4QX",
                scores={} if score is None else {"joint-framework": BallotScore(score)},
            ),
        )

    async def merged(pilot):
        await steady(pilot)
        pilot.app.screen._poll_remote()
        await steady(pilot)
        pilot.app.screen.save_now()
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(make_app(store=frozen, open_session=session_id), terminal_size=SIZE, run_before=merged)
