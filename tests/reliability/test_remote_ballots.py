"""Remote scoring under faults: a participant's process killed while it writes its ballot (a browser
tab closed mid-save) never leaves the facilitator a half-written ballot, and a flood of hostile
ballot files leaves the session exactly as it was.

FACILITATOR_BALLOT_KILL_ROUNDS (default 60) sets the number of kills.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

from store_support import ROOT

from facilitator.domain.content import load_checklist
from facilitator.domain.session_factory import create_session
from facilitator.remote.ballots import participant_id
from facilitator.remote.link import RemoteLink
from facilitator.remote.room import open_round_for
from facilitator.storage.layout import ballots_dir

ROUNDS = int(os.environ.get("FACILITATOR_BALLOT_KILL_ROUNDS", "60"))
CHECKLIST = load_checklist()

CHILD = r"""
import sys
from pathlib import Path
from facilitator.remote.ballots import Ballot, BallotScore, participant_id, write_ballot
from facilitator.remote.room import read_round

folder = Path(sys.argv[1])
state = read_round(folder)
points = sys.argv[2].split(",")
ballot = Ballot(participant=participant_id("acme-ports", "Ana Ruiz"), partner="acme-ports", name="Ana Ruiz",
                round=state.round, code=state.code)
seq = 0
while True:
    seq += 1
    for i, key in enumerate(points):
        ballot.scores[key] = BallotScore((seq + i) % 5, "comment " * (seq % 200))
    write_ballot(folder, ballot)
    sys.stdout.write(f"{seq}\n")
    sys.stdout.flush()
"""


def test_a_participant_killed_while_writing_never_leaves_a_half_ballot(store, record_figure):
    with store.create(create_session("Harbour Link", ["Acme Ports", "Beta Shipping"], date="2026-11-27")) as opened:
        session_id = opened.id
    session = store.load(session_id)
    folder = ballots_dir(store.data_dir, session_id)
    open_round_for(folder, session)
    link = RemoteLink(store.data_dir, session_id)
    points = ",".join(p.key for p in CHECKLIST.points)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(7)
    refused = merged = 0
    leftovers: set[str] = set()
    for _ in range(ROUNDS):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(folder), points], stdout=subprocess.PIPE, env=env)
        child.stdout.readline()  # at least one ballot written by this process
        time.sleep(rng.uniform(0, 0.02))
        child.send_signal(signal.SIGKILL)
        child.wait()
        leftovers |= {p.name for p in folder.iterdir() if p.name.startswith(".facilitator-tmp-")}
        result = link.apply(link.poll(), session, CHECKLIST)
        refused += len(result.refused)
        merged += bool(result.changed_points)
    ballot = folder / f"{participant_id('acme-ports', 'Ana Ruiz')}.json"
    assert json.loads(ballot.read_text(encoding="utf-8"))["partner"] == "acme-ports"
    RemoteLink(store.data_dir, session_id).poll()  # a restarted facilitator sweeps them
    swept = [p.name for p in folder.iterdir() if p.name.startswith(".facilitator-tmp-")]
    record_figure(f"ballots refused after {ROUNDS} kills of a participant mid-write", refused)
    record_figure("kills that landed mid-write (temporary file left behind)", len(leftovers))
    record_figure("temporary files left after the facilitator's restart", len(swept))
    assert refused == 0 and merged > 0
    assert swept == [], (leftovers, swept)


def test_a_flood_of_hostile_ballots_changes_nothing(store, record_figure):
    with store.create(create_session("Harbour Link", ["Acme Ports", "Beta Shipping"], date="2026-11-27")) as opened:
        session_id = opened.id
    session = store.load(session_id)
    folder = ballots_dir(store.data_dir, session_id)
    state, _ = open_round_for(folder, session)
    before = session.to_dict()
    rng = random.Random(11)
    good = {
        "format": "facilitator-ballot",
        "version": 1,
        "round": state.round,
        "code": state.code,
        "partner": "acme-ports",
        "name": "Eve",
        "participant": participant_id("acme-ports", "Eve"),
        "scores": {CHECKLIST.points[0].key: {"score": 2, "comment": ""}},
    }
    mutations = [
        ("code", "ZZZ-ZZZ"),
        ("round", state.round + 7),
        ("partner", "nobody"),
        ("name", ""),
        ("scores", {"nope": {"score": 1}}),
        ("scores", {CHECKLIST.points[0].key: {"score": 5}}),
        ("version", 9),
        ("format", "x"),
        ("participant", "someone-else"),
    ]
    count = 300
    for n in range(count):
        body = dict(good)
        key, value = rng.choice(mutations)
        body[key] = value
        raw = json.dumps(body).encode()
        if n % 5 == 0:
            raw = raw[: rng.randrange(len(raw))]  # truncated
        (folder / f"hostile-{n}.json").write_bytes(raw)
    link = RemoteLink(store.data_dir, session_id)
    result = link.apply(link.poll(), session, CHECKLIST)
    record_figure(f"hostile ballots refused of {count}", len(result.refused))
    assert len(result.refused) == count
    assert session.to_dict() == before
    lines = (folder / "refused.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == count and all(json.loads(line)["reason"] for line in lines)
