"""Issue 4, part 6: two instances on one session. While a live process has the session open, another
process's open(), `load --replace` and `delete` are refused within a second, naming the holder (its
pid); the file is untouched. When the holder is killed, its lock is stale and is taken over.
Processes racing to open the same session: exactly one wins each time."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from store_support import DEMO_DATE, ROOT, cli_env, run_facilitator

from facilitator.base.errors import SessionLocked
from facilitator.domain.demo import build_demo_session
from facilitator.storage.store import SessionStore

RACE_ROUNDS = int(os.environ.get("FACILITATOR_RACE_ROUNDS", "15"))
RACERS = 6

HOLDER = r"""
import sys, time
from facilitator.storage.store import SessionStore
opened = SessionStore(sys.argv[1]).open(sys.argv[2])
sys.stdout.write("ready\n")
sys.stdout.flush()
n = 0
while True:  # an autosave every 50 ms, as in a meeting
    n += 1
    opened.session.point("joint-framework").notes = f"autosave {n}"
    opened.save()
    time.sleep(0.05)
"""

RACER = r"""
import sys
from facilitator.base.errors import SessionLocked
from facilitator.storage.store import SessionStore
store = SessionStore(sys.argv[1])
store.ensure_folder()
sys.stdout.write("ready\n")
sys.stdout.flush()
sys.stdin.readline()  # the starting gun
try:
    opened = store.open(sys.argv[2])
except SessionLocked as error:
    sys.stdout.write(f"refused {error}\n")
else:
    opened.save()
    sys.stdout.write("won\n")
    sys.stdout.flush()
    sys.stdin.readline()  # hold it until every racer has tried
    opened.close()
sys.stdout.flush()
"""


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture
def held(tmp_path):
    store = SessionStore(tmp_path / "sessions")
    with store.create(build_demo_session(DEMO_DATE)) as opened:
        session_id = opened.id
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store.data_dir), session_id],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline() == "ready\n", proc.stderr.read()
    yield store, session_id, proc
    proc.kill()
    proc.wait()


def test_second_instance_is_refused_quickly_naming_the_holder(held, tmp_path, record_figure):
    store, session_id, holder = held
    other = SessionStore(store.data_dir)  # this test process is the second instance
    timings = []
    for _ in range(20):
        started = time.monotonic()
        with pytest.raises(SessionLocked) as caught:
            other.open(session_id)
        timings.append(time.monotonic() - started)
        assert f"pid {holder.pid} on this computer" in str(caught.value)
    assert f"pid {holder.pid}" in other.holder(session_id)
    assert max(timings) < 1.0

    dump = tmp_path / "dump.json"
    assert run_facilitator(store.data_dir, "dump", session_id, "-o", str(dump)).returncode == 0
    cli_timings = []
    for args in (["load", "--replace", str(dump)], ["delete", session_id], ["delete", session_id[:8]]):
        started = time.monotonic()
        result = run_facilitator(store.data_dir, *args, env=cli_env(store.data_dir))
        cli_timings.append(time.monotonic() - started)
        assert result.returncode == 1
        assert f"is open in another facilitator (pid {holder.pid} on this computer" in result.error_line
    assert max(cli_timings) < 2.0  # a whole interpreter start-up included
    assert store.path_for(session_id).exists() and not (store.data_dir / "trash").exists()
    assert holder.poll() is None  # the holder never noticed and keeps saving
    assert store.load(session_id).point("joint-framework").notes.startswith("autosave ")
    record_figure(
        "second open() refused while another process holds the session",
        f"20 of 20, slowest {max(timings) * 1000:.1f} ms, holder pid named",
    )
    record_figure(
        "CLI load --replace / delete refused while held",
        f"3 of 3, slowest {max(cli_timings) * 1000:.0f} ms including start-up",
    )


def test_lock_of_a_killed_holder_is_taken_over(held, record_figure):
    store, session_id, holder = held
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert store.lock_path(session_id).exists()
    started = time.monotonic()
    with store.open(session_id) as opened:
        took = time.monotonic() - started
        opened.session.point("joint-framework").notes = "recovered"
        opened.save()
    assert store.load(session_id).point("joint-framework").notes == "recovered"
    assert not store.lock_path(session_id).exists()
    record_figure("stale lock of a SIGKILLed holder taken over", f"yes, in {took * 1000:.1f} ms")


def test_racing_opens_have_exactly_one_winner(tmp_path, record_figure):
    store = SessionStore(tmp_path / "sessions")
    with store.create(build_demo_session(DEMO_DATE)) as opened:
        session_id = opened.id
    for _round in range(RACE_ROUNDS):
        racers = [
            subprocess.Popen(
                [sys.executable, "-c", RACER, str(store.data_dir), session_id],
                env=_env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(RACERS)
        ]
        for racer in racers:
            assert racer.stdout.readline() == "ready\n", racer.stderr.read()
        for racer in racers:
            racer.stdin.write("go\n")
            racer.stdin.flush()
        answers = [racer.stdout.readline() for racer in racers]
        for racer, answer in zip(racers, answers):
            racer.communicate("done\n" if answer == "won\n" else None)  # the winner lets go only now
        winners = [a for a in answers if a == "won\n"]
        refused = [a for a in answers if a.startswith("refused ")]
        assert len(winners) == 1 and len(refused) == RACERS - 1, answers
        assert all(
            re.search(r"is open in another (facilitator \(pid \d+ on this computer|program)", a) for a in refused
        ), refused
        assert not store.lock_path(session_id).exists()
    record_figure(
        "racing open() from several processes: rounds with exactly one winner",
        f"{RACE_ROUNDS} of {RACE_ROUNDS} ({RACERS} processes each)",
    )


def test_a_hard_link_to_a_live_lock_does_not_let_a_second_writer_in(held, tmp_path):
    """Found by a red team: a backup made with `cp -al` gave the live lock a second name; the next
    open took it for a stray link, removed it and took the session while the first window still
    had it open. Both saved, and one window's typing was lost."""
    store, session_id, holder = held
    backup = tmp_path / "backup-of-the-lock"
    os.link(store.lock_path(session_id), backup)
    other = SessionStore(store.data_dir)
    with pytest.raises(SessionLocked) as caught:
        other.open(session_id)
    assert f"pid {holder.pid} on this computer" in str(caught.value)
    assert f"pid {holder.pid}" in other.holder(session_id)
    with pytest.raises(SessionLocked):
        other.delete(session_id)
    assert store.path_for(session_id).exists() and holder.poll() is None
    holder.kill()
    holder.wait()
    with other.open(session_id) as opened:  # its holder gone: the second name dropped, a fresh lock
        opened.save()
    assert backup.exists() and json.loads(backup.read_text())["pid"] == holder.pid  # the backup as it was
