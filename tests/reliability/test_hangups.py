"""Closing the terminal under the app (issue 13, item 1): a few runs of `benchmarks/hangups.py`,
one per scenario (`python -m benchmarks.hangups --runs 300` is the full measurement).

Every process of the run must be gone 2 s after the hangup, the session's lock free, and the last
keystroke the app had read on disk."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from benchmarks.hangups import SCENARIOS, run  # noqa: E402

RUNS = int(os.environ.get("FACILITATOR_HANGUP_RUNS", str(len(SCENARIOS))))


def test_hangups_at_random_moments_leave_nothing_behind(record_figure):
    out = io.StringIO()
    seed = int(os.environ["FACILITATOR_HANGUP_SEED"]) if "FACILITATOR_HANGUP_SEED" in os.environ else None
    outcomes = run(RUNS, seed, out=out)
    report = out.getvalue()
    record_figure(
        "terminal closed at random moments: runs with a process left after 2 s, a lock held, "
        "or the last keystroke lost",
        f"{sum(1 for o in outcomes if not o.ok)} of {len(outcomes)}",
    )
    assert all(o.ok for o in outcomes), report
