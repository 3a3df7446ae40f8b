"""The session store, on real files under tmp_path: round trips, atomic replacement, locks, damaged and
foreign files, migration of version 1 files, ids, the listing cache, and what a save touches."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from store_support import DEMO_DATE, DEMO_ID, ROOT, V1_FIXTURE, V1_ID, dead_pid, snapshot, v1_document
from tinydb import TinyDB

from facilitator.base.errors import (
    InvalidInput,
    InvalidSession,
    NewerSchema,
    SessionDamaged,
    SessionLocked,
    SessionNotFound,
    StorageError,
)
from facilitator.base.terminal_text import json_shown
from facilitator.domain.demo import build_demo_session
from facilitator.domain.model import SCHEMA_VERSION
from facilitator.domain.session_factory import create_session
from facilitator.storage import file_stamps, index_file, index_table, kept_folder, listing_cache, session_file
from facilitator.storage import store as store_module
from facilitator.storage import summaries as summaries_module
from facilitator.storage.atomic import TEMP_PREFIX, sweep_orphans
from facilitator.storage.data_folder import resolve_data_dir
from facilitator.storage.layout import INDEX_FILE
from facilitator.storage.store import SessionStore


def session_doc(path: Path) -> dict:
    """The one session document inside a store file, read with plain json."""
    return json.loads(path.read_text(encoding="utf-8"))["session"]["1"]


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX))


# -- round trip ---------------------------------------------------------------------------------


def test_create_save_load_round_trip(store, data_dir, sample_session):
    with store.create(sample_session) as opened:
        assert opened.id == DEMO_ID
        opened.session.point("trust-indicator").notes = "Trust survey: 3.2 / 5 — 信頼 ✓"
        stamp = opened.save()
    path = data_dir / f"{DEMO_ID}.json"
    on_disk = session_doc(path)
    assert on_disk["saved_at"] == stamp == sample_session.saved_at
    assert on_disk == sample_session.to_dict()
    assert store.load(DEMO_ID).to_dict() == sample_session.to_dict()
    # A real TinyDB file: stock TinyDB reads the same document.
    with TinyDB(path, access_mode="r") as db:
        assert dict(db.table("session").get(doc_id=1)) == sample_session.to_dict()


def test_save_of_a_snapshot_writes_only_its_own_file(store, data_dir, sample_session):
    with store.create(sample_session) as opened:
        snapshot_doc = opened.session.to_dict()
        snapshot_doc["points"]["joint-framework"]["notes"] = "from the UI thread"
        snapshot_doc["id"] = "someone-else"
        opened.save(snapshot_doc)
    assert sorted(p.name for p in data_dir.iterdir()) == [f"{DEMO_ID}.json"]
    assert store.load(DEMO_ID).points["joint-framework"].notes == "from the UI thread"


def test_one_save_is_one_file_replacement(store, data_dir, sample_session, monkeypatch):
    """TinyDB's upsert is an update and an insert: each must not reach the disk on its own, or a kill
    between the two leaves a file with no session in it."""
    payloads = []
    real = session_file.atomic_write_bytes

    def spy(path, data, mode=None):
        payloads.append((Path(path).name, data))
        return real(path, data, mode)

    monkeypatch.setattr(session_file, "atomic_write_bytes", spy)
    with store.create(sample_session) as opened:
        opened.save()
        opened.save(opened.session.to_dict())
    assert [name for name, _ in payloads] == [f"{DEMO_ID}.json"] * 3
    for _name, data in payloads:
        assert json.loads(data)["session"]["1"]["id"] == DEMO_ID


# -- atomic replacement -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o640, 0o600, 0o664])
def test_save_replaces_atomically_and_keeps_the_mode(store, data_dir, saved_id, mode):
    path = data_dir / f"{saved_id}.json"
    os.chmod(path, mode)
    with store.open(saved_id) as opened:
        for n in range(5):
            # Replaced by rename, never rewritten in place: the file as it was before the save is
            # still whole behind a handle opened on it, and no longer in the folder. (Comparing inode
            # numbers is not enough: the file system may hand a freed inode to the next save.)
            with open(path, "rb") as before:
                old_bytes = before.read()
                opened.session.point("joint-framework").notes = f"save {n}"
                opened.save()
                before.seek(0)
                assert before.read() == old_bytes and os.fstat(before.fileno()).st_nlink == 0
            assert stat.S_IMODE(path.stat().st_mode) == mode
    assert temp_files(data_dir) == []
    assert store.load(saved_id).points["joint-framework"].notes == "save 4"


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_a_new_session_file_is_private_whatever_the_umask(store, data_dir, sample_session, umask):
    """Issue 13, item 10: a session (and everything beside it) is readable by its owner only."""
    old = os.umask(umask)
    try:
        with store.create(sample_session) as opened:
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE((data_dir / f"{opened.id}.json").stat().st_mode) == 0o600


@pytest.mark.parametrize("failing", ["replace", "fsync", "write"])
def test_failed_save_leaves_the_old_file_and_no_temp_file(store, data_dir, saved_id, monkeypatch, failing):
    path = data_dir / f"{saved_id}.json"
    before = path.read_bytes()
    opened = store.open(saved_id)
    opened.session.point("joint-framework").notes = "never reaches the disk"

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    import facilitator.storage.atomic as atomic_module

    if failing == "replace":
        monkeypatch.setattr(atomic_module.os, "replace", boom)
    elif failing == "fsync":
        monkeypatch.setattr(atomic_module.os, "fsync", boom)
    else:
        monkeypatch.setattr(atomic_module.os, "fdopen", boom)
    with pytest.raises(StorageError, match=f"Could not save {saved_id}.json: No space left on device"):
        opened.save()
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert temp_files(data_dir) == []
    opened.save()  # the disk has room again: the same session saves
    opened.close()
    assert store.load(saved_id).points["joint-framework"].notes == "never reaches the disk"


def test_save_into_a_vanished_folder_reports_it(store, data_dir, saved_id):
    opened = store.open(saved_id)
    for p in data_dir.iterdir():
        p.unlink()
    data_dir.rmdir()
    with pytest.raises(StorageError, match="Could not save"):
        opened.save()
    opened.close()


def test_lone_surrogate_is_refused_and_the_file_unchanged(store, data_dir, saved_id):
    path = data_dir / f"{saved_id}.json"
    before = path.read_bytes()
    with store.open(saved_id) as opened:
        opened.session.point("joint-framework").notes = "pasted \ud83d half an emoji"
        with pytest.raises(InvalidInput, match="cannot be saved"):
            opened.save()
        assert path.read_bytes() == before
        opened.session.point("joint-framework").notes = "retyped 🎉"
        opened.save()
    assert store.load(saved_id).points["joint-framework"].notes == "retyped 🎉"


def test_sweep_removes_orphans_of_dead_processes_only(data_dir, saved_id):
    dead = data_dir / f"{TEMP_PREFIX}{dead_pid()}-abc.part"
    live = data_dir / f"{TEMP_PREFIX}{os.getpid()}-def.part"
    dead.write_bytes(b'{"session": {"1": {"trunc')
    live.write_bytes(b"in progress")
    SessionStore(data_dir).ensure_folder()
    assert not dead.exists() and live.exists()
    assert sweep_orphans(data_dir) == []
    assert [s.id for s in SessionStore(data_dir).summaries()] == [saved_id]  # orphans are never listed


# -- locks ----------------------------------------------------------------------------------------

HOLDER = """
import sys, time
from facilitator.storage.store import SessionStore
opened = SessionStore(sys.argv[1]).open(sys.argv[2])
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder_process(data_dir, saved_id):
    """Another live process with the session open."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir), saved_id],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    yield proc
    proc.kill()
    proc.wait()


def test_second_open_in_this_process_is_refused(store, saved_id):
    with store.open(saved_id):
        with pytest.raises(SessionLocked, match="already open in this window"):
            SessionStore(store.data_dir).open(saved_id)
        assert f"pid {os.getpid()}" in store.holder(saved_id)
    assert store.holder(saved_id) is None
    assert not store.lock_path(saved_id).exists()
    store.open(saved_id).close()


def test_open_held_by_another_process_is_refused_with_its_pid(store, data_dir, saved_id, holder_process):
    path = data_dir / f"{saved_id}.json"
    before = path.read_bytes()
    started = time.monotonic()
    with pytest.raises(SessionLocked) as caught:
        store.open(saved_id)
    assert time.monotonic() - started < 1
    assert f"pid {holder_process.pid} on this computer" in str(caught.value)
    assert f"pid {holder_process.pid}" in store.holder(saved_id)
    with pytest.raises(SessionLocked, match=f"pid {holder_process.pid}"):
        store.delete(saved_id)
    doc = store.load(saved_id).to_dict()  # viewing is still allowed
    with pytest.raises(SessionLocked, match=f"pid {holder_process.pid}"):
        store.import_document(doc, replace=True)
    assert path.read_bytes() == before


def test_lock_of_a_killed_process_is_recovered(store, saved_id, holder_process):
    holder_process.kill()
    holder_process.wait()
    assert store.lock_path(saved_id).exists()  # left behind by the kill
    assert store.holder(saved_id) is None
    with store.open(saved_id) as opened:
        opened.save()
        assert f"pid {os.getpid()}" in store.holder(saved_id)


@pytest.mark.parametrize(
    "content",
    [
        "dead",  # a process that has exited
        "reused",  # a pid now used by an unrelated live program (as after a reboot)
        "own pid",  # our own pid, left by an earlier run (a restarted container starts at the same pid)
        "empty",  # killed between creating the lock file and writing it
        "junk",
    ],
)
def test_stale_lock_files_are_taken_over(store, saved_id, content):
    lock = store.lock_path(saved_id)
    pid = {"dead": dead_pid(), "reused": os.getppid(), "own pid": os.getpid()}.get(content, 0)
    if content == "empty":
        lock.write_bytes(b"")
    elif content == "junk":
        lock.write_bytes(b"\x00\xff not json")
    else:
        lock.write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "since": "2026-03-02T09:00:00"}))
    assert store.holder(saved_id) is None
    with store.open(saved_id) as opened:
        opened.save()
    assert not lock.exists()


def test_without_flock_the_lock_file_itself_is_the_lock(store, saved_id, monkeypatch, holder_process):
    """Platforms without flock (Windows): O_EXCL creation, and a pid check for staleness."""
    import facilitator.storage.locking as locking

    monkeypatch.setattr(locking, "fcntl", None)
    with pytest.raises(SessionLocked, match=f"pid {holder_process.pid}"):
        store.open(saved_id)
    holder_process.kill()
    holder_process.wait()
    assert store.holder(saved_id) is None
    with store.open(saved_id) as opened:
        with pytest.raises(SessionLocked, match="already open in this window"):
            store.open(saved_id)
        opened.save()
        assert f"pid {os.getpid()}" in store.holder(saved_id)
    assert not store.lock_path(saved_id).exists()
    store.lock_path(saved_id).write_bytes(b"")  # killed between creating and writing it
    store.open(saved_id).close()
    assert not store.lock_path(saved_id).exists()


def test_lock_from_another_computer_is_respected(store, saved_id):
    lock = store.lock_path(saved_id)
    lock.write_text(
        json.dumps({"pid": 4242, "host": "projector-laptop", "since": "2026-03-02T09:15:00", "program": "facilitator"})
    )
    with pytest.raises(SessionLocked, match=r"pid 4242 on projector-laptop, since 09:15"):
        store.open(saved_id)
    assert "projector-laptop" in store.holder(saved_id)
    assert lock.exists()


def test_save_after_close_is_refused(store, saved_id):
    opened = store.open(saved_id)
    opened.close()
    with pytest.raises(SessionLocked, match="closed"):
        opened.save()


# -- damaged, foreign and newer files -----------------------------------------------------------


def _damaged_cases(good: bytes) -> dict[str, bytes]:
    doc = json.loads(good)
    wrong_types = json.loads(good)
    wrong_types["session"]["1"]["partners"][0]["name"] = 17
    newer = json.loads(good)
    newer["session"]["1"]["schema_version"] = SCHEMA_VERSION + 1
    return {
        "truncated": good[: len(good) // 2],
        "junk appended": good + b"\n}}garbage",
        "wrong types": json.dumps(wrong_types).encode(),
        "empty": b"",
        "whitespace": b"  \n",
        "foreign JSON list": b"[1, 2, 3]",
        "foreign TinyDB": json.dumps({"_default": {"1": {"name": "shopping list"}}}).encode(),
        "two sessions in one file": json.dumps(
            {"session": {"1": doc["session"]["1"], "2": doc["session"]["1"]}}
        ).encode(),
        "not UTF-8": good.replace(b"Northwind", b"North\xffwind"),
        "nested deep": b'{"session": {"1": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}",
        "huge number": b'{"session": {"1": {"schema_version": ' + b"9" * 5000 + b"}}}",
        "newer schema": json.dumps(newer).encode(),
    }


DAMAGED_KINDS = [
    "truncated",
    "junk appended",
    "wrong types",
    "empty",
    "whitespace",
    "foreign JSON list",
    "foreign TinyDB",
    "two sessions in one file",
    "not UTF-8",
    "nested deep",
    "huge number",
    "newer schema",
]


@pytest.mark.parametrize("kind", DAMAGED_KINDS)
def test_damaged_file_is_reported_by_name_and_left_untouched(store, data_dir, saved_id, kind):
    other = create_session("Harbour Alliance", ["Alpha", "Beta"], date="2026-01-05")
    with store.create(other) as opened:
        other_id = opened.id
    victim = data_dir / f"{saved_id}.json"
    cases = _damaged_cases(victim.read_bytes())
    assert sorted(cases) == sorted(DAMAGED_KINDS)
    bad = cases[kind]
    victim.write_bytes(bad)
    os.chmod(victim, 0o640)

    summaries = {s.id: s for s in store.summaries()}
    expected = "newer" if kind == "newer schema" else "damaged"
    assert summaries[saved_id].status == expected and summaries[saved_id].problem
    assert summaries[other_id].ok and summaries[other_id].alliance == "Harbour Alliance"

    error = NewerSchema if kind == "newer schema" else SessionDamaged
    for attempt in (store.load, store.open):
        with pytest.raises(error) as caught:
            attempt(saved_id)
        assert f"{saved_id}.json" in str(caught.value)
        assert "\n" not in str(caught.value) and len(str(caught.value)) < 400
    assert victim.read_bytes() == bad and stat.S_IMODE(victim.stat().st_mode) == 0o640
    assert not store.lock_path(saved_id).exists()
    assert not list(data_dir.glob("*.bak"))

    with store.open(other_id) as opened:  # the others keep working
        opened.session.point("joint-framework").notes = "still fine"
        opened.save()
    assert store.load(other_id).points["joint-framework"].notes == "still fine"
    assert victim.read_bytes() == bad


def test_other_sessions_still_export_next_to_a_damaged_one(store, data_dir, saved_id):
    reports = pytest.importorskip("facilitator.reports.render")
    (data_dir / "broken-2026-01-01.json").write_bytes(b'{"session": ')
    text = reports.render(store.load(saved_id), "agreement", None)
    assert "Coastal Corridor Alliance" in text


def test_file_named_for_another_session_is_damaged(store, data_dir, saved_id):
    (data_dir / "copy-2026-01-01.json").write_bytes((data_dir / f"{saved_id}.json").read_bytes())
    summaries = {s.id: s for s in store.summaries()}
    assert summaries["copy-2026-01-01"].status == "damaged"
    assert f"holds session '{saved_id}'" in summaries["copy-2026-01-01"].problem


def test_file_deleted_while_listing_is_skipped(store, data_dir, saved_id, monkeypatch):
    real = SessionStore._read_session

    def vanish(self, session_id):
        (data_dir / f"{session_id}.json").unlink()
        return real(self, session_id)

    monkeypatch.setattr(SessionStore, "_read_session", vanish)
    assert store.summaries() == []


# -- version 1 files --------------------------------------------------------------------------------


def test_v1_file_is_migrated_in_memory_by_load_and_on_disk_by_open(store, data_dir, v1_file):
    original = v1_file.read_bytes()
    os.chmod(v1_file, 0o600)
    summary = store.summaries()[0]
    assert summary.ok and summary.alliance == "Harbour Alliance" and summary.joint_index is not None
    session = store.load(V1_ID)
    assert session.partners[1].name == "Café Ünited"
    assert v1_file.read_bytes() == original and not list(data_dir.glob("*.bak"))

    with store.open(V1_ID) as opened:
        assert opened.session.to_dict() == {**session.to_dict(), "saved_at": opened.session.saved_at}
    backup = data_dir / f"{V1_ID}.json.bak"
    assert backup.read_bytes() == original == V1_FIXTURE.read_bytes()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # as private as the file it copies
    assert stat.S_IMODE(v1_file.stat().st_mode) == 0o600
    assert session_doc(v1_file)["schema_version"] == SCHEMA_VERSION
    assert store.summaries()[0].ok

    store.open(V1_ID).close()  # already migrated: the backup is not touched again
    assert backup.read_bytes() == original
    assert [p.name for p in data_dir.glob("*.bak")] == [backup.name]


def test_failure_between_backup_and_write_leaves_the_old_file(store, data_dir, v1_file, monkeypatch):
    original = v1_file.read_bytes()

    def fail(path, data, mode=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(session_file, "atomic_write_bytes", fail)  # the session's write, not its backup's
    with pytest.raises(StorageError):
        store.open(V1_ID)
    assert v1_file.read_bytes() == original
    assert (data_dir / f"{V1_ID}.json.bak").read_bytes() == original
    assert not store.lock_path(V1_ID).exists()
    monkeypatch.undo()
    store.open(V1_ID).close()
    assert session_doc(v1_file)["schema_version"] == SCHEMA_VERSION
    assert (data_dir / f"{V1_ID}.json.bak").read_bytes() == original
    assert len(list(data_dir.glob("*.bak"))) == 1


def test_an_older_backup_is_never_overwritten(store, data_dir, v1_file):
    older = data_dir / f"{V1_ID}.json.bak"
    older.write_bytes(b"an earlier backup")
    store.open(V1_ID).close()
    assert older.read_bytes() == b"an earlier backup"
    assert (data_dir / f"{V1_ID}.json.2.bak").read_bytes() == V1_FIXTURE.read_bytes()


def test_deeply_nested_v1_file_is_damaged_not_a_crash(store, data_dir, saved_id):
    deep = b'{"session": {"1": {"schema_version": 1, "measures": ' + b"[" * 900 + b"]" * 900 + b"}}}"
    (data_dir / "deep-2026-01-01.json").write_bytes(deep)
    summaries = {s.id: s for s in store.summaries()}
    assert summaries["deep-2026-01-01"].status == "damaged"
    assert summaries[saved_id].ok


# -- ids ----------------------------------------------------------------------------------------------


def test_ids_are_slug_and_date_with_a_suffix_on_collision(store, data_dir):
    ids = []
    for _ in range(3):
        with store.create(create_session("Café Ünited & Co", ["A", "B"], date="2026-04-01")) as opened:
            ids.append(opened.id)
    assert ids == ["cafe-united-co-2026-04-01", "cafe-united-co-2026-04-01-2", "cafe-united-co-2026-04-01-3"]
    store.delete("cafe-united-co-2026-04-01-3")
    # An id in the trash is not given again: `load` of its dump must not collide.
    assert store.new_id("Café Ünited & Co", "2026-04-01") == "cafe-united-co-2026-04-01-4"


def test_create_never_overwrites_a_session_made_meanwhile(store, data_dir, saved_id, monkeypatch):
    """Another process created (and closed) the same id between our choice of id and our lock."""
    before = (data_dir / f"{saved_id}.json").read_bytes()
    real = SessionStore.new_id
    calls = []

    def racing(self, alliance, date):
        calls.append(1)
        return saved_id if len(calls) == 1 else real(self, alliance, date)

    monkeypatch.setattr(SessionStore, "new_id", racing)
    with store.create(build_demo_session(DEMO_DATE)) as opened:
        assert opened.id == f"{saved_id}-2"
    assert (data_dir / f"{saved_id}.json").read_bytes() == before


def test_resolve_by_unique_prefix(store):
    for alliance, date in [("Harbour", "2026-01-05"), ("Harbour", "2026-01-05"), ("Coastal", "2026-02-01")]:
        store.create(create_session(alliance, ["A", "B"], date=date)).close()
    assert store.resolve("coa") == "coastal-2026-02-01"
    assert store.resolve("harbour-2026-01-05") == "harbour-2026-01-05"  # exact beats prefix
    assert store.resolve("harbour-2026-01-05-") == "harbour-2026-01-05-2"
    with pytest.raises(InvalidInput, match=r"'harb' matches 2 sessions \(harbour-2026-01-05, harbour-2026-01-05-2\)"):
        store.resolve("harb")
    with pytest.raises(SessionNotFound, match="No session 'zebra'"):
        store.resolve("zebra")
    with pytest.raises(InvalidInput, match="Give a session id"):
        store.resolve("  ")


def test_resolve_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("FACILITATOR_DATA_DIR", raising=False)
    # The default is per user, not relative to where the app starts: the same from any folder.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_data_dir() == tmp_path / "xdg" / "facilitator" / "sessions"
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir() == tmp_path / "xdg" / "facilitator" / "sessions"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG rules: only absolute paths count
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_data_dir() == tmp_path / "home" / ".local" / "share" / "facilitator" / "sessions"
    assert resolve_data_dir("here") == tmp_path / "here"  # a relative --data-dir, made absolute
    monkeypatch.setenv("FACILITATOR_DATA_DIR", str(tmp_path / "env"))
    assert resolve_data_dir() == tmp_path / "env"
    assert resolve_data_dir(str(tmp_path / "flag")) == tmp_path / "flag"


def test_data_folder_that_is_a_file(tmp_path, sample_session):
    (tmp_path / "sessions").write_text("not a folder")
    with pytest.raises(StorageError, match="is a file, not a folder"):
        SessionStore(tmp_path / "sessions").create(sample_session)


# -- listing and the index cache ----------------------------------------------------------------------


def _three_sessions(store) -> list[str]:
    ids = []
    for alliance, date in [("Harbour", "2026-01-05"), ("Coastal", "2026-02-01"), ("Inland", "2025-12-01")]:
        session = create_session(alliance, ["Alpha", "Beta"], date=date)
        session.set_score("joint-framework", "alpha", 2)
        with store.create(session) as opened:
            ids.append(opened.id)
    return ids


def test_listing_newest_first_and_json_shape(store):
    _three_sessions(store)
    summaries = store.summaries()
    assert [s.date for s in summaries] == ["2026-02-01", "2026-01-05", "2025-12-01"]
    assert summaries[0].to_json() == {
        "id": "coastal-2026-02-01",
        "file": "coastal-2026-02-01.json",
        "status": "ok",
        "problem": "",
        "alliance": "Coastal",
        "kind": "kickoff",
        "date": "2026-02-01",
        "partners": ["Alpha", "Beta"],
        "joint_index": 50.0,
        "saved_at": summaries[0].saved_at,
        "follows": "",
        "facilitator": "",
        "sponsors": [],
    }


def test_listing_does_not_reparse_unchanged_files(store, data_dir, monkeypatch):
    # Files saved just before a listing are read again by the next one (the racy rule, tested below);
    # here the clock is taken to be fine-grained, so that only real changes count.
    monkeypatch.setattr(index_file, "RACY_NS", 0)
    ids = _three_sessions(store)
    calls = []
    real = SessionStore._read_session
    monkeypatch.setattr(SessionStore, "_read_session", lambda self, i, *file: calls.append(i) or real(self, i, *file))

    store.summaries()
    assert sorted(calls) == sorted(ids)  # first listing: the index did not exist yet
    calls.clear()
    SessionStore(data_dir).summaries()  # a new process, say: the index on disk serves
    assert calls == []

    with store.open(ids[0]) as opened:
        opened.session.set_score("joint-framework", "beta", 4)
        opened.save()
    calls.clear()
    summaries = {s.id: s for s in store.summaries()}
    assert calls == [ids[0]]  # only the changed file
    assert summaries[ids[0]].joint_index == 75.0


def test_change_with_same_size_and_mtime_is_still_seen(store, data_dir):
    """A coarse clock can give two saves the same mtime; each save is a new file (a new inode)."""
    ids = _three_sessions(store)
    path = data_dir / f"{ids[0]}.json"
    before = path.stat()
    store.summaries()
    with store.open(ids[0]) as opened:
        opened.session.set_score("joint-framework", "alpha", 3)  # 2 -> 3: same size
        opened.save()
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert {s.id: s for s in store.summaries()}[ids[0]].joint_index == 75.0


def test_a_change_within_one_tick_of_a_coarse_clock_is_still_seen(store, data_dir, monkeypatch):
    """Two saves in one tick of the file clock can leave the same size, mtime, ctime and (a freed
    inode handed out again) inode: a row taken less than RACY_NS after its file changed is not trusted."""
    ids = _three_sessions(store)
    path = data_dir / f"{ids[0]}.json"
    store.summaries()  # the files were saved just now: their rows are racy
    same_stamp = path.stat()
    real_stat = os.stat

    def frozen_stat(target, *args, **kwargs):  # the stamp a coarse clock and a reused inode would give
        return same_stamp if os.fspath(target) == os.fspath(path) else real_stat(target, *args, **kwargs)

    with store.open(ids[0]) as opened:
        opened.session.set_score("joint-framework", "alpha", 3)  # 2 -> 3: same size
        opened.save()
    monkeypatch.setattr(os, "stat", frozen_stat)
    assert {s.id: s for s in store.summaries()}[ids[0]].joint_index == 75.0
    head, _count = store.cached_head(3)
    assert {s.id: s for s in head}.get(ids[0]) is None or {s.id: s for s in head}[ids[0]].joint_index == 75.0


def test_rows_of_files_unchanged_for_long_are_trusted(store, data_dir, monkeypatch):
    ids = _three_sessions(store)
    store.summaries()
    calls = []
    real = SessionStore._read_session
    monkeypatch.setattr(SessionStore, "_read_session", lambda self, i, *file: calls.append(i) or real(self, i, *file))
    SessionStore(data_dir).summaries()
    assert sorted(calls) == sorted(ids)  # saved less than RACY_NS before the index: read again, once
    calls.clear()
    real_time_ns = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: real_time_ns() + index_file.RACY_NS)
    SessionStore(data_dir).summaries()  # (as if RACY_NS later) the index is rewritten with trusted rows
    monkeypatch.undo()
    monkeypatch.setattr(SessionStore, "_read_session", lambda self, i, *file: calls.append(i) or real(self, i, *file))
    calls.clear()
    SessionStore(data_dir).summaries()
    assert calls == []
    assert len(SessionStore(data_dir).cached_head(3)[0]) == 3


def test_an_edit_in_place_that_restores_the_mtime_is_still_seen(store, data_dir, monkeypatch):
    monkeypatch.setattr(index_file, "RACY_NS", 0)
    ids = _three_sessions(store)
    store.summaries()
    path = data_dir / f"{ids[0]}.json"
    before = path.stat()
    data = path.read_bytes()
    edited = data.replace(b'"alpha":2', b'"alpha":3', 1)
    assert edited != data and len(edited) == len(data)
    time.sleep(0.01)
    with open(path, "r+b") as handle:  # the same inode and size; then the old mtime put back
        handle.write(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert {s.id: s for s in store.summaries()}[ids[0]].joint_index == 75.0  # the ctime moved


def test_corrupt_index_is_rebuilt(store, data_dir):
    ids = _three_sessions(store)
    store.summaries()
    index = data_dir / INDEX_FILE
    for junk in (
        b"{not json",
        b"",
        b"[]",
        json.dumps({"summaries": {"1": [1, 2]}, "meta": {"1": 5}}).encode(),
        json.dumps({"meta": {"1": {"format": 999}}}).encode(),
    ):
        index.write_bytes(junk)
        assert sorted(s.id for s in SessionStore(data_dir).summaries()) == sorted(ids)
        rebuilt = json.loads(index.read_text())
        assert len(rebuilt["summaries"]) == 3


def test_deleted_file_leaves_the_listing(store, data_dir):
    ids = _three_sessions(store)
    store.summaries()
    (data_dir / f"{ids[1]}.json").unlink()
    assert sorted(s.id for s in store.summaries()) == sorted([ids[0], ids[2]])
    assert len(json.loads((data_dir / INDEX_FILE).read_text())["summaries"]) == 2


def test_listing_a_read_only_folder_still_works(store, data_dir, monkeypatch):
    ids = _three_sessions(store)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(index_table, "atomic_write_bytes", refuse)
    assert sorted(s.id for s in store.summaries()) == sorted(ids)


def test_listing_a_missing_folder_is_empty_and_creates_nothing(tmp_path):
    assert SessionStore(tmp_path / "nowhere").summaries() == []
    assert not (tmp_path / "nowhere").exists()


def test_saving_one_session_touches_no_other_file(store, data_dir):
    ids = _three_sessions(store)
    store.summaries()
    stats = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in data_dir.iterdir()}
    contents = snapshot(data_dir)
    time.sleep(0.01)
    with store.open(ids[0]) as opened:
        for n in range(3):
            opened.session.point("joint-framework").notes = f"note {n}"
            opened.save()
    after = snapshot(data_dir)
    changed = {name for name in after if after[name] != contents.get(name)}
    assert changed == {f"{ids[0]}.json"}
    for p in data_dir.iterdir():
        if p.name != f"{ids[0]}.json":
            assert (p.stat().st_mtime_ns, p.stat().st_ino) == stats[p.name], p.name


# -- delete and import ------------------------------------------------------------------------------


def test_delete_moves_to_trash(store, data_dir, saved_id):
    before = (data_dir / f"{saved_id}.json").read_bytes()
    target = store.delete(saved_id[:6])
    assert target == data_dir / "trash" / f"{saved_id}.json" and target.read_bytes() == before
    assert store.summaries() == [] and not store.lock_path(saved_id).exists()
    with pytest.raises(SessionNotFound):
        store.load(saved_id)


def test_delete_takes_the_backup_and_the_remote_ballots_along(store, data_dir, saved_id):
    (data_dir / f"{saved_id}.json.bak").write_text("{}", encoding="utf-8")
    ballots = data_dir / f"{saved_id}.ballots"
    ballots.mkdir()
    (ballots / "round.json").write_text("{}", encoding="utf-8")
    store.delete(saved_id)
    trash = data_dir / "trash"
    assert (trash / f"{saved_id}.json.bak").read_text(encoding="utf-8") == "{}"
    assert (trash / f"{saved_id}.ballots" / "round.json").exists()
    assert not any(p.name.startswith(saved_id) for p in data_dir.iterdir())


def test_import_refuses_existing_without_replace_and_keeps_a_copy_with_replace(store, data_dir, saved_id):
    path = data_dir / f"{saved_id}.json"
    os.chmod(path, 0o600)
    before = path.read_bytes()
    doc = store.load(saved_id).to_dict()
    doc["facilitator"] = "Someone Else"
    with pytest.raises(InvalidInput, match="already exists; add --replace"):
        store.import_document(doc)
    assert path.read_bytes() == before
    store.import_document(doc, replace=True)
    assert store.load(saved_id).facilitator == "Someone Else"
    kept = data_dir / "trash" / f"{saved_id}.json"
    assert kept.read_bytes() == before and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_import_of_invalid_documents_writes_nothing(store, data_dir, saved_id):
    doc = store.load(saved_id).to_dict()
    before = snapshot(data_dir)
    bad_docs = [
        {**doc, "date": "yesterday"},
        {**doc, "schema_version": SCHEMA_VERSION + 1},
        {**doc, "alliance": "x" * 10_000_000},
        [doc],
        {**doc, "partners": "everyone"},
    ]
    for bad in bad_docs:
        with pytest.raises((InvalidSession, NewerSchema)):
            store.import_document(bad, replace=True)
    assert snapshot(data_dir) == before


def test_import_of_a_v1_document_migrates_it(store, data_dir):
    session = store.import_document(v1_document())
    assert session.id == V1_ID and session_doc(data_dir / f"{V1_ID}.json")["schema_version"] == SCHEMA_VERSION


def test_concurrent_saves_and_listing_from_threads(store, data_dir):
    ids = _three_sessions(store)
    errors = []
    opened = [store.open(i) for i in ids]

    def saver(o):
        try:
            for n in range(20):
                o.session.point("joint-framework").notes = f"{o.id} {n}"
                o.save(o.session.to_dict())
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    def lister():
        try:
            for _ in range(20):
                assert len(store.summaries()) == 3
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=saver, args=(o,)) for o in opened] + [threading.Thread(target=lister)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for o in opened:
        o.close()
    assert errors == []
    assert {store.load(i).points["joint-framework"].notes for i in ids} == {f"{i} 19" for i in ids}
    assert temp_files(data_dir) == []


# -- the bytes of a session file ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "Zoë – “quoted” ✓ 🤝",
        "tab\tnew\nline \x7f \x01",
        "a \\u00e9 typed",
        'quote " and \\ backslash',
        "日本語のテキスト",
    ],
)
def test_database_bytes_are_compact_utf8_json_whatever_the_text(text):
    data = {"session": {"1": {"notes": text, "score": 2.5, "list": [text, None, True]}}}
    expected = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert session_file.encode_database(data) == expected
    assert json.loads(expected) == data


@pytest.mark.parametrize("surrogate", ["\ud800", "\udfff", "\ud83d\ude00 as two code points"])
def test_database_bytes_refuse_lone_surrogates(surrogate):
    with pytest.raises(UnicodeEncodeError):
        session_file.encode_database({"session": {"1": {"notes": surrogate}}})


def test_list_json_is_exactly_what_json_dumps_writes():
    from facilitator.storage.summaries import SessionSummary, summaries_json

    odd = [
        SessionSummary(
            "a-2026-01-01",
            "a-2026-01-01.json",
            alliance="Zoë “A” \\ \n",
            partners=["Ä", "B\t"],
            joint_index=62.5,
            saved_at="2026-01-01T10:00:00+00:00",
            follows="x",
        ),
        SessionSummary("b", "b.json", status="damaged", problem="it is empty", partners=[]),
        SessionSummary("c", "c.json", joint_index=50),
        SessionSummary("d", "d.json", joint_index=float("nan")),
    ]
    weird = SessionSummary("e", "e.json", partners=("P",), facilitator=3)  # not what the store writes
    for summaries in (odd, odd + [weird], [weird], []):
        expected = json.dumps([s.to_json() for s in summaries], ensure_ascii=False, indent=2)
        assert summaries_json(summaries) == expected


def _kept_as_it_is(store: SessionStore) -> bool:
    """Whether the store's kept copy of its folder is usable as it is (no file to read again)."""
    kept = kept_folder.read(listing_cache.cache_path(store.data_dir), os.fspath(store.data_dir))
    if kept is None:
        return False
    names = [i + ".json" for i in kept.ids]
    now = file_stamps.PendingStamps(os.fspath(store.data_dir), names).result()
    stale, added = kept.changes(store.folder_entries(), now)
    return not stale and not added


def test_the_kept_listing_is_never_stale(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(index_file, "RACY_NS", 0)  # trust rows at once (no 2 s wait)
    store = SessionStore(tmp_path / "data")

    def fresh() -> str:  # what listing_json must say: the summaries as they are now
        return json_shown(summaries_module.summaries_json(SessionStore(store.data_dir).summaries()))

    with store.create(create_session("Harbour Alliance", ["North", "South"], date="2026-01-10")) as opened:
        first = opened.id
    with store.create(create_session("Other Alliance", ["East", "West"], date="2026-02-10")) as opened:
        other = opened.id
    text = store.listing_json()
    assert text == fresh() and [s["id"] for s in json.loads(text)] == [other, first]
    assert _kept_as_it_is(store)
    kept = kept_folder.read(listing_cache.cache_path(store.data_dir), os.fspath(store.data_dir))
    assert str(b"".join(kept.listing()), "utf-8") == text  # kept, and used as it is
    assert store.links()[other][1] == "Other Alliance"  # the links come from the same copy

    # Edited in place (same inode, same size): the kept text must not hide it.
    path = store.path_for(other)
    before = path.read_bytes()
    time.sleep(0.05)  # a later tick of the file clock (RACY_NS is 0 here; 2 s in real use covers it)
    path.write_bytes(before.replace(b'"Other Alliance"', b'"Otter Alliance"'))
    assert not _kept_as_it_is(store)
    assert json.loads(store.listing_json())[0]["alliance"] == "Otter Alliance"
    assert store.listing_json() == fresh()
    assert store.links()[other][1] == "Otter Alliance"

    # Added, removed, damaged: each seen at once.
    with store.create(create_session("Third Alliance", ["A", "B"], date="2026-03-10")) as opened:
        third = opened.id
    assert [s["id"] for s in json.loads(store.listing_json())] == [third, other, first]
    store.path_for(first).unlink()
    assert [s["id"] for s in json.loads(store.listing_json())] == [third, other]
    assert first not in store.links()
    path.write_text("{", encoding="utf-8")
    assert json.loads(store.listing_json())[1]["status"] == "damaged"
    assert store.listing_json() == fresh()
    assert store.links()[other][0] == "damaged"

    # A copy written by other code, or a damaged copy, is not used.
    monkeypatch.setattr(listing_cache, "code_salt", lambda: "other code")
    monkeypatch.setattr(kept_folder, "code_salt", lambda: "other code")
    assert kept_folder.read(listing_cache.cache_path(store.data_dir), os.fspath(store.data_dir)) is None
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(index_file, "RACY_NS", 0)
    assert store.listing_json() == fresh()
    cache = Path(listing_cache.cache_path(store.data_dir))
    for garbage in (b"\x00garbage", b"", cache.read_bytes()[:-10], b"\xff\xff\xff\x7f" + b"x" * 100):
        cache.write_bytes(garbage)
        assert store.listing_json() == fresh()
        assert _kept_as_it_is(store)  # and made again


def test_a_session_saved_patches_the_kept_listing(tmp_path, monkeypatch):
    """One file changed among many: only it is read again, and the kept copy is patched (moved
    to its new place when its date changed), never out of step with the files."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(index_file, "RACY_NS", 0)
    store = SessionStore(tmp_path / "data")
    ids = []
    for n in range(8):
        with store.create(create_session(f"Alliance {n}", ["North", "Süd «x»"], date=f"2026-0{n + 1}-10")) as opened:
            ids.append(opened.id)

    def fresh() -> str:
        return json_shown(summaries_module.summaries_json(SessionStore(store.data_dir).summaries()))

    assert store.listing_json() == fresh()
    read_again: list[str] = []
    summarise_file = SessionStore._summarise_file
    monkeypatch.setattr(
        SessionStore, "_summarise_file", lambda self, i, st: read_again.append(i) or summarise_file(self, i, st)
    )
    monkeypatch.setattr(SessionStore, "summaries", lambda self, wanted=None: pytest.fail("the index was read"))
    time.sleep(0.05)
    with store.open(ids[2]) as opened:  # saved with a later date: it moves to the top
        opened.session.date = "2026-12-01"
        opened.session.alliance = "Alliance two, moved"
        opened.save()
    listed = json.loads(store.listing_json())
    assert read_again == [ids[2]]
    assert [s["id"] for s in listed][:2] == [ids[2], ids[7]] and listed[0]["alliance"] == "Alliance two, moved"
    assert store.links()[ids[2]][1] == "Alliance two, moved"
    assert read_again == [ids[2]]  # the patched copy was kept: nothing read again
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(index_file, "RACY_NS", 0)
    assert store.listing_json() == fresh()

    # More files changed than are worth patching: the copy is made again from the index.
    monkeypatch.setattr(store_module, "MAX_PATCHED", 2)
    time.sleep(0.05)
    for session_id in ids[:4]:
        os.utime(store.path_for(session_id))
    assert store.listing_json() == fresh() and _kept_as_it_is(store)


def test_a_file_changed_just_now_is_read_again_until_it_is_old_enough(tmp_path, monkeypatch):
    """The racy rule: a file changed within RACY_NS of the check may change again within the
    same tick of a coarse file clock, so its kept row is not trusted yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    store = SessionStore(tmp_path / "data")
    with store.create(create_session("Harbour Alliance", ["North", "South"], date="2026-01-10")):
        pass
    store.listing_json()
    assert not _kept_as_it_is(store)  # just written: read again next time
    monkeypatch.setattr(index_file, "RACY_NS", 0)
    store.listing_json()
    assert _kept_as_it_is(store)


def test_a_copy_patched_just_after_a_save_is_not_written_until_it_spares_a_read(tmp_path, monkeypatch):
    """Just after a save the file is read again at every check (the racy rule) whatever is kept:
    the patched copy is used, not written (8 MB at 10,000 sessions). Once the file is old enough
    to be trusted, the copy is written and the file no longer read."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(index_file, "RACY_NS", 0)
    store = SessionStore(tmp_path / "data")
    ids = []
    for n in range(3):
        with store.create(create_session(f"Alliance {n}", ["North", "South"], date=f"2026-0{n + 1}-10")) as opened:
            ids.append(opened.id)
    store.listing_json()
    kept_file = Path(listing_cache.cache_path(store.data_dir))
    written = kept_file.stat().st_mtime_ns
    monkeypatch.setattr(index_file, "RACY_NS", 10**12)  # every file is "just saved"
    time.sleep(0.05)
    with store.open(ids[1]) as opened:
        opened.session.alliance = "Alliance one, renamed"
        opened.save()
    for _ in range(2):
        listed = {s["id"]: s["alliance"] for s in json.loads(SessionStore(store.data_dir).listing_json())}
        assert listed[ids[1]] == "Alliance one, renamed"
        assert kept_file.stat().st_mtime_ns == written  # patched, used, not written
    monkeypatch.setattr(index_file, "RACY_NS", 0)
    SessionStore(store.data_dir).listing_json()
    assert kept_file.stat().st_mtime_ns != written and _kept_as_it_is(store)


def test_a_file_found_newer_is_read_again_after_an_upgrade(tmp_path, monkeypatch):
    from facilitator.domain import model
    from facilitator.storage import migrations

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(index_file, "RACY_NS", 0)
    store = SessionStore(tmp_path / "data")
    with store.create(create_session("Future Alliance", ["Xeno", "Yotta"], date="2026-02-01")) as opened:
        session_id = opened.id
    path = store.path_for(session_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["session"]["1"]["schema_version"] = SCHEMA_VERSION + 1
    path.write_text(json.dumps(data), encoding="utf-8")
    for _ in range(2):  # the second listing has an index row and a kept copy for the file
        assert store.summaries()[0].status == "newer"
        assert json.loads(store.listing_json())[0]["status"] == "newer"
        assert store.links()[session_id][0] == "newer"
    for module in (migrations, model):  # an upgrade that reads it
        monkeypatch.setattr(module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    assert store.summaries()[0].status == "ok"
    assert json.loads(store.listing_json())[0]["status"] == "ok"
    assert store.links()[session_id][0] == "ok"


def test_an_index_written_again_keeps_its_unchanged_rows_exactly(store, monkeypatch):
    monkeypatch.setattr(index_file, "RACY_NS", 0)
    ids = []
    for n, name in enumerate(["Alpha Pact", "Beta Pact", "Gamma Pact"]):
        with store.create(create_session(name, ["Acme", "Zoë “Q”"], date=f"2026-0{n + 1}-10")) as opened:
            ids.append(opened.id)
    store.summaries()  # the index written from scratch
    time.sleep(0.05)
    with store.open(ids[1]) as opened:  # one session saved: its row changes, the others are reused
        opened.session.alliance = "Beta Pact, renamed"
        opened.save()
    reused = []
    index_rows = index_file.index_rows
    monkeypatch.setattr(index_table, "index_rows", lambda raw, kept: reused.append(index_rows(raw, kept)) or reused[-1])
    listed = store.summaries()
    assert sorted(reused[0]) == sorted([ids[0], ids[2]])
    raw = (store.data_dir / INDEX_FILE).read_bytes()
    checked_ns = json.loads(raw)["checked_ns"]
    assert raw == index_file.encode_index([s.to_document() for s in listed], checked_ns)  # as encoding all
    assert [s.alliance for s in SessionStore(store.data_dir).summaries()] == [
        "Gamma Pact",
        "Beta Pact, renamed",
        "Alpha Pact",
    ]


def test_the_kept_listing_is_salted_by_the_code_that_makes_a_summary():
    """A copy kept by other code (an upgrade) is not used: the salt covers the store, the model,
    the scores and the checklists wherever the packages put them (a moved module must not drop out)."""
    package = Path(listing_cache.__file__).resolve().parent.parent
    salted = {Path(path).resolve().relative_to(package).as_posix() for path in listing_cache.salted_files()}
    for needed in ("storage/store.py", "storage/summaries.py", "storage/migrations.py", "domain/model.py"):
        assert needed in salted
    assert "domain/scoring.py" in salted
    assert any(name.startswith("domain/content/checklist-") and name.endswith(".toml") for name in salted)
