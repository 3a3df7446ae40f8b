"""The stamps of a folder's files, taken in a child process or here: the same either way."""

from __future__ import annotations

import os
import threading

import pytest

from facilitator.storage import file_stamps
from facilitator.storage.file_stamps import PendingStamps


@pytest.fixture
def folder(tmp_path):
    for n in range(30):
        (tmp_path / f"s{n}.json").write_text("x" * n, encoding="utf-8")
    return tmp_path


def _expected(folder, names):
    stamps = []
    for name in names:
        try:
            st = os.stat(folder / name)
        except OSError:
            stamps += [-1, -1, -1, -1]
        else:
            stamps += [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
    return stamps


def test_a_child_and_this_process_give_the_same_stamps(folder, monkeypatch):
    names = [f"s{n}.json" for n in range(30)] + ["gone.json", "s3.json"]
    monkeypatch.setattr(file_stamps, "MIN_FILES_FOR_A_CHILD", 1)
    monkeypatch.setattr(file_stamps, "_cores_to_fork_on", lambda: 2)
    pending = PendingStamps(os.fspath(folder), names)
    assert pending.in_child
    from_child = pending.result()
    monkeypatch.setattr(file_stamps, "MIN_FILES_FOR_A_CHILD", 10**9)
    here = PendingStamps(os.fspath(folder), names)
    assert not here.in_child
    assert list(from_child) == list(here.result()) == _expected(folder, names)
    assert from_child[4 * 30 : 4 * 31].tolist() == [-1, -1, -1, -1]  # the file that is not there


def test_a_child_that_fails_is_not_trusted(folder, monkeypatch):
    """A child that dies, or sends less than it should, leaves the stamps to be taken here."""
    names = [f"s{n}.json" for n in range(30)]
    monkeypatch.setattr(file_stamps, "MIN_FILES_FOR_A_CHILD", 1)
    monkeypatch.setattr(file_stamps, "_cores_to_fork_on", lambda: 2)
    monkeypatch.setattr(file_stamps, "stamps_of", _dies_in_the_child(file_stamps.stamps_of))
    pending = PendingStamps(os.fspath(folder), names)
    assert pending.in_child
    assert list(pending.result()) == _expected(folder, names)


def _dies_in_the_child(stamps_of):
    parent = os.getpid()

    def maybe_die(stat, names):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return stamps_of(stat, names)

    return maybe_die


def test_no_child_where_it_would_not_be_safe(folder, monkeypatch):
    """A process with threads is never forked (the child could inherit a lock held by another)."""
    monkeypatch.setattr(file_stamps, "MIN_FILES_FOR_A_CHILD", 1)
    started, stop = threading.Event(), threading.Event()
    worker = threading.Thread(target=lambda: (started.set(), stop.wait()))
    worker.start()
    try:
        started.wait()
        pending = PendingStamps(os.fspath(folder), ["s1.json"])
        assert not pending.in_child
        assert list(pending.result()) == _expected(folder, ["s1.json"])
    finally:
        stop.set()
        worker.join()


def test_a_pending_check_never_collected_leaves_no_child(folder, monkeypatch):
    monkeypatch.setattr(file_stamps, "MIN_FILES_FOR_A_CHILD", 1)
    monkeypatch.setattr(file_stamps, "_cores_to_fork_on", lambda: 2)
    pending = PendingStamps(os.fspath(folder), ["s1.json"])
    pids = [child[0] for child in pending._children]
    assert len(pids) == 2
    del pending
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped already
