"""Snapshots of the alliance history screen (the four-session fixture alliance of history_support).

Regenerate after an intended change with
`pytest tests/tui/test_history_snapshot.py --snapshot-update`, then look at the SVGs. Nothing on the
screen depends on the clock: the sessions have fixed dates, and the save stamps (not shown) are
frozen anyway.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from history_support import IDS, damage, save_sessions  # noqa: E402

from facilitator.domain import model as model_module
from facilitator.storage.store import SessionStore  # noqa: E402
from facilitator.tui.app import make_app  # noqa: E402

FROZEN_STAMP = "2026-03-10T16:30:00+00:00"


@pytest.fixture
def frozen(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr(model_module, "now_iso", lambda: FROZEN_STAMP)
    store = SessionStore(tmp_path / "sessions")
    save_sessions(store)
    yield store
    monkeypatch.undo()
    time.tzset()


async def open_history(pilot, *keys: str) -> None:
    app = pilot.app
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("h")  # the newest session is selected in the list
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


def test_history_trends(frozen, snap_compare):
    assert snap_compare(make_app(store=frozen), terminal_size=(100, 30), run_before=open_history)


def test_history_agreement_changes_with_a_damaged_session(frozen, snap_compare):
    damage(frozen, IDS[1])

    async def changes(pilot):
        await open_history(pilot, "a")

    assert snap_compare(make_app(store=frozen), terminal_size=(80, 24), run_before=changes)
