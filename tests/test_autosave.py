"""The autosaver: newest snapshot wins, failures are retried, flush writes synchronously."""

from __future__ import annotations

import threading
import time

import pytest

from facilitator.base.errors import StorageError
from facilitator.storage import autosave
from facilitator.storage.autosave import Autosaver


class FakeSaver:
    """Records what was saved; can be told to fail or to be slow."""

    def __init__(self) -> None:
        self.saved: list[dict] = []
        self.failures_left = 0
        self.delay = 0.0
        self.lock = threading.Lock()

    def save(self, document: dict | None = None) -> str:
        time.sleep(self.delay)
        with self.lock:
            if self.failures_left:
                self.failures_left -= 1
                raise StorageError("Could not save x.json: No space left on device.")
            self.saved.append(document)
        return "2026-03-02T14:03:12+00:00"


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(autosave, "RETRY_DELAYS", (0.05,))


def test_submitted_snapshot_reaches_the_saver():
    saver = FakeSaver()
    statuses = []
    autosaver = Autosaver(saver, on_status=statuses.append)
    autosaver.submit({"n": 1})
    wait_until(lambda: saver.saved)
    assert saver.saved == [{"n": 1}]
    wait_until(lambda: not autosaver.dirty)
    assert statuses[-1].state == "saved" and statuses[-1].saved_at == "14:03:12"
    autosaver.stop()


def test_newest_snapshot_wins_and_order_is_kept():
    saver = FakeSaver()
    saver.delay = 0.02
    autosaver = Autosaver(saver)
    for n in range(50):
        autosaver.submit({"n": n})
    assert autosaver.stop()
    numbers = [doc["n"] for doc in saver.saved]
    assert numbers[-1] == 49, "the last state typed must be the one on disk"
    assert numbers == sorted(numbers), "an older snapshot must never be written after a newer one"
    assert len(numbers) < 50, "overtaken snapshots are skipped, not queued"


def test_failed_save_is_retried_until_it_succeeds():
    saver = FakeSaver()
    saver.failures_left = 3
    statuses = []
    autosaver = Autosaver(saver, on_status=statuses.append)
    autosaver.submit({"n": 7})
    wait_until(lambda: saver.saved)
    assert saver.saved == [{"n": 7}]
    assert any(s.state == "failed" and "No space left" in s.message for s in statuses)
    wait_until(lambda: statuses[-1].state == "saved")
    autosaver.stop()


def test_flush_writes_now_and_stop_is_idempotent():
    saver = FakeSaver()
    autosaver = Autosaver(saver)
    assert autosaver.flush({"n": 1})
    assert saver.saved[-1] == {"n": 1}
    assert autosaver.stop()
    assert autosaver.stop()


def test_flush_reports_failure_and_keeps_the_snapshot():
    saver = FakeSaver()
    saver.failures_left = 1
    autosaver = Autosaver(saver)
    assert not autosaver.flush({"n": 2})
    assert autosaver.dirty
    wait_until(lambda: saver.saved == [{"n": 2}])  # the background retry gets it to disk
    autosaver.stop()
