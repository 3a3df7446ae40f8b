"""Issue 4, part 9: migration of a version 1 file, and a process killed in the middle of migrating.

Opening an old file for writing copies it to `<id>.json.bak`, then replaces it with the migrated
document. A kill at any moment must leave the old file or the new one, never a mix, and any backup
present is byte-identical to the old file.

FACILITATOR_MIGRATION_KILL_ROUNDS (default 60) sets the number of kills.
"""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import time

import pytest
from store_support import ROOT, V1_FIXTURE, V1_ID

import facilitator.storage.atomic as atomic_module
from facilitator.base.errors import StorageError
from facilitator.domain.model import SCHEMA_VERSION, Session
from facilitator.storage.migrations import migrate
from facilitator.storage.store import SessionStore

ROUNDS = int(os.environ.get("FACILITATOR_MIGRATION_KILL_ROUNDS", "60"))
SEED = int(os.environ.get("FACILITATOR_KILL_SEED", str(random.randrange(1 << 30))))

CHILD = r"""
import sys
from facilitator.storage.store import SessionStore
store = SessionStore(sys.argv[1])
store.ensure_folder()
sys.stdout.write("start\n")
sys.stdout.flush()
store.open(sys.argv[2]).close()
sys.stdout.write("done\n")
sys.stdout.flush()
"""


def _big_v1() -> bytes:
    """The v1 fixture with long notes (3 MB), so that migrating takes long enough to be hit."""
    data = json.loads(V1_FIXTURE.read_text(encoding="utf-8"))
    doc = data["session"]["1"]
    for i, key in enumerate(
        [
            "joint-framework",
            "needs-shared",
            "mutual-benefit",
            "trust-indicator",
            "sponsors-meet",
            "relational-measures",
            "partnering-training",
            "joint-communications",
        ]
    ):
        doc["notes"][key] = (f"Note {i} — 注記 🤝 " * 12_000)[:150_000]
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def _state(path, backup, original: bytes, migrated: dict) -> str:
    """'old' or 'new' (anything else fails the test), with '+bak' when a backup is there."""
    raw = path.read_bytes()
    if raw == original:
        state = "old"
    else:
        doc = json.loads(raw)["session"]["1"]
        assert doc["schema_version"] == SCHEMA_VERSION
        Session.from_dict(doc)
        assert {**doc, "saved_at": ""} == {**migrated, "saved_at": ""}, "a mix of old and new"
        state = "new"
    if backup.exists():
        assert backup.read_bytes() == original, "the backup is not the pre-migration file"
        state += "+bak"
    return state


def test_kill_during_migration(tmp_path, record_figure):
    data_dir = tmp_path / "sessions"
    data_dir.mkdir()
    path, backup = data_dir / f"{V1_ID}.json", data_dir / f"{V1_ID}.json.bak"
    original = _big_v1()
    migrated, _ = migrate(json.loads(original)["session"]["1"])
    migrated = Session.from_dict(migrated).to_dict()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(SEED)
    started = time.monotonic()

    def spawn():
        for leftover in data_dir.iterdir():
            leftover.unlink()
        path.write_bytes(original)
        os.chmod(path, 0o600)
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir), V1_ID],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline() == "start\n", proc.stderr.read()
        return proc

    # Calibrate on an uninterrupted migration.
    proc = spawn()
    t0 = time.monotonic()
    assert proc.stdout.readline() == "done\n", proc.stderr.read()
    window = time.monotonic() - t0
    proc.wait()
    assert _state(path, backup, original, migrated) == "new+bak"

    outcomes: dict[str, int] = {}
    for _round in range(ROUNDS):
        proc = spawn()
        time.sleep(rng.uniform(0, 1.2 * window))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        state = _state(path, backup, original, migrated)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        outcomes[state] = outcomes.get(state, 0) + 1

        # The next start finishes the job.
        store = SessionStore(data_dir)
        store.open(V1_ID).close()
        assert _state(path, backup, original, migrated) == "new+bak"
        assert sorted(p.name for p in data_dir.iterdir()) == sorted(
            [path.name, backup.name, "index.json"] if (data_dir / "index.json").exists() else [path.name, backup.name]
        )
    elapsed = time.monotonic() - started
    record_figure("kills during migration of a v1 file", f"{ROUNDS} (seed {SEED}), {window * 1000:.0f} ms a migration")
    record_figure(
        "outcomes after a kill (old/new file, +bak = backup kept)",
        ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())),
    )
    record_figure("files mixing old and new, or backups differing from the original", 0)
    record_figure("migration kill suite time", f"{elapsed:.0f} s")
    assert len(outcomes) >= 2, f"the kills all landed on one side of the migration: {outcomes}"


def test_failure_between_backup_and_write(tmp_path, record_figure, monkeypatch):
    data_dir = tmp_path / "sessions"
    data_dir.mkdir()
    path, backup = data_dir / f"{V1_ID}.json", data_dir / f"{V1_ID}.json.bak"
    original = V1_FIXTURE.read_bytes()
    path.write_bytes(original)
    real_replace = os.replace

    def crash_on_the_session_file(src, dst, *args, **kwargs):
        if str(dst) == str(path):
            raise OSError(5, "Input/output error")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(atomic_module.os, "replace", crash_on_the_session_file)
    store = SessionStore(data_dir)
    with pytest.raises(StorageError, match="Input/output error"):
        store.open(V1_ID)
    assert path.read_bytes() == original and backup.read_bytes() == original
    assert sorted(p.name for p in data_dir.iterdir()) == sorted([path.name, backup.name])  # no temp, no lock
    assert store.load(V1_ID).alliance == "Harbour Alliance"  # still readable, migrated in memory

    monkeypatch.undo()
    store.open(V1_ID).close()
    assert json.loads(path.read_bytes())["session"]["1"]["schema_version"] == SCHEMA_VERSION
    assert backup.read_bytes() == original
    record_figure("failure between backup and write: old file intact, backup identical", "yes")
