"""Faults mid-meeting: the disk fills up, the folder turns read-only, the folder vanishes.

The TUI must warn in view, keep everything in memory, retry, and save once the fault clears; quitting
while it cannot save must not lose the work either. (Tests run as root in CI, where chmod does not stop
writes, so the faults are injected where the store writes its files.)
"""

from __future__ import annotations

import errno
import json
import shutil

import pytest

from facilitator.base.errors import FacilitatorError
from facilitator.domain.session_factory import create_session
from facilitator.storage import autosave, session_file
from facilitator.storage.atomic import atomic_write_bytes as real_atomic_write
from facilitator.tui.app import make_app
from facilitator.tui.screens.meeting import MeetingScreen
from facilitator.tui.widgets.save_indicator import SaveIndicator

SIZE = (100, 30)


class Fault:
    """Makes the store's file writes fail with a chosen error while switched on."""

    def __init__(self) -> None:
        self.error: OSError | None = None
        self.failed_writes = 0

    def __call__(self, path, data, *args, **kwargs):
        if self.error is not None:
            self.failed_writes += 1
            raise self.error
        return real_atomic_write(path, data, *args, **kwargs)


@pytest.fixture
def fault(monkeypatch):
    injected = Fault()
    monkeypatch.setattr(session_file, "atomic_write_bytes", injected)
    monkeypatch.setattr(autosave, "RETRY_DELAYS", (0.1,))
    return injected


def make_session(store) -> str:
    with store.create(create_session("Fault Alliance", ["Acme", "Globex"], date="2026-03-02")) as opened:
        return opened.id


def scores_on_disk(store, session_id) -> dict | None:
    """The first point's scores as saved; None while the file cannot be read (folder gone)."""
    try:
        points = store.load(session_id).points
    except FacilitatorError:
        return None
    return points["joint-framework"].scores if "joint-framework" in points else {}


async def wait_for(pilot, condition, seconds: float = 15.0) -> None:
    # Generous: the whole suite on two busy cores can slow a retry well past its usual second.
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        OSError(errno.EROFS, "Read-only file system"),
        PermissionError(errno.EACCES, "Permission denied"),
    ],
    ids=["disk-full", "read-only", "permission"],
)
async def test_save_fault_warns_keeps_work_and_recovers(store, fault, error, record_figure):
    session_id = make_session(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        fault.error = error
        await pilot.press("f3", "3")
        indicator = app.screen.query_one(SaveIndicator)
        await wait_for(pilot, lambda: indicator.has_class("-failed"))
        assert error.strerror in indicator.failed_message
        assert any("kept in memory" in n.message for n in app._notifications)
        assert scores_on_disk(store, session_id) == {}, "nothing reached the disk while it failed"
        await pilot.press("1")  # the room keeps working during the fault
        assert app.screen.session.points["joint-framework"].scores == {"acme": 3, "globex": 1}
        await pilot.pause(0.5)  # past the autosave delay: the last edit's snapshot is with the saver
        await wait_for(pilot, lambda: fault.failed_writes >= 2)  # saving is retried while the fault lasts
        retries = fault.failed_writes
        fault.error = None
        await wait_for(pilot, lambda: scores_on_disk(store, session_id) == {"acme": 3, "globex": 1})
        await wait_for(pilot, lambda: not indicator.has_class("-failed"))
    record_figure(f"save fault '{error.strerror}': failed writes retried, then saved", retries)


async def test_data_folder_vanishes_and_comes_back(store, data_dir, monkeypatch, record_figure):
    monkeypatch.setattr(autosave, "RETRY_DELAYS", (0.1,))
    session_id = make_session(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shutil.rmtree(data_dir)
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen.session.agenda.step == "health-check")
        await pilot.press("2")
        await wait_for(pilot, lambda: app.screen.session.points["joint-framework"].scores == {"acme": 2})
        indicator = app.screen.query_one(SaveIndicator)
        await wait_for(pilot, lambda: indicator.has_class("-failed"))
        data_dir.mkdir()  # the USB stick is back / the share is remounted
        # Wait for the event checked: the score's own snapshot is taken a moment after the key
        # (the save delay), so an earlier save (of the step change) may clear the warning first.
        await wait_for(pilot, lambda: scores_on_disk(store, session_id) == {"acme": 2})
        await wait_for(pilot, lambda: not indicator.has_class("-failed"))
    record_figure("data folder removed mid-meeting: saved after it came back", "yes")


async def test_closing_while_saves_fail_keeps_the_session_open(store, fault):
    session_id = make_session(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        fault.error = OSError(errno.ENOSPC, "No space left on device")
        await pilot.press("f3", "4", "f10")
        await pilot.pause()
        assert isinstance(app.screen, MeetingScreen), "a session that cannot be saved is not closed"
        fault.error = None
        await pilot.press("f10")
        await pilot.pause()
        assert not isinstance(app.screen, MeetingScreen)
    assert scores_on_disk(store, session_id) == {"acme": 4}


async def test_quitting_while_saves_fail_asks_then_writes_a_rescue_copy(store, fault, tmp_path, monkeypatch):
    monkeypatch.setattr("facilitator.storage.rescue.rescue_folder", lambda: tmp_path / "rescue")
    session_id = make_session(store)
    app = make_app(store=store, open_session=session_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        fault.error = OSError(errno.ENOSPC, "No space left on device")
        await pilot.press("f3", "2", "ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen", "quitting with unsaved work asks first"
        await pilot.press("y")
        await pilot.pause()
    rescued = list((tmp_path / "rescue").glob(f"{session_id}-*.json"))
    assert len(rescued) == 1
    document = json.loads(rescued[0].read_text(encoding="utf-8"))
    assert document["points"]["joint-framework"]["scores"] == {"acme": 2}
    assert app.return_code == 1
