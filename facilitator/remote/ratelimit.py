"""Rate limiting of wrong join codes and PINs, shared by every participant process of a session.

Each browser connection is its own process, so a limit kept in memory would reset with every
reload. Wrong tries are kept in `<id>.ballots/attempts.json` under a file lock: per address (the
serving process passes the browser's address in FACILITATOR_PEER), per person whose PIN was tried,
and in total over all addresses.

The limits slow wrong tries and never refuse the right code: every try is checked, and a wrong
one past a limit costs the page that made it a wait, during which that page checks nothing (see
participant/join.py). Someone else's wrong tries (behind the same address, or anywhere) therefore
only make one's own wrong tries wait; typing the right code or PIN always gets in. Past the limits
each further guess needs a new page: a new process, of which the server runs only a few per address
and at most 60 in all (see serve.py), so guessing an eight-character PIN stays hopeless.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from facilitator.remote.files import UnreadableFile, loads_json, read_regular_file
from facilitator.storage.atomic import PRIVATE_FILE, atomic_write_bytes, private_folder
from facilitator.storage.layout import ATTEMPTS_FILE

# Pages served at once (the server refuses more), in all and from one address.
MAX_CONNECTIONS = 60  # one app process each; a large alliance meeting has a few dozen people
MAX_PER_ADDRESS = 6  # a laptop and a phone, with reloads; more from one address is someone hogging slots

WINDOW = 15 * 60  # seconds of memory
FREE_TRIES = 5  # wrong tries per address before each further one costs its page a wait
FIRST_WAIT = 30  # seconds after the free tries, doubling with each further wrong try
LONGEST_WAIT = 15 * 60
ALL_ADDRESSES_PER_MINUTE = 30  # wrong tries over all addresses; past it, each further one waits a minute
PIN_FREE_TRIES = 3  # wrong PINs for one person, from anywhere, before each further one costs a wait
ADDRESS, PERSON = "address:", "pin-for:"  # the kinds of key in the file
KEEP_PER_KEY = 20  # enough for the longest wait (FREE_TRIES + 6 doublings)
MAX_KEYS = 2000  # at most about 1 MB of file


@dataclass(frozen=True)
class Verdict:
    wait: float  # seconds before the page that tried may try again; 0 when it may try now

    @property
    def allowed(self) -> bool:
        return self.wait <= 0


class JoinLimiter:
    def __init__(self, folder: Path, peer: str, clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.peer = peer[:100] or "unknown"
        self.clock = clock

    def wrong(self, person: str | None = None) -> Verdict:
        """Record a wrong try (a wrong code, or a wrong PIN for PERSON): how long its page must wait."""
        with self._locked(write=True) as attempts:
            now = self.clock()
            mine = attempts.setdefault(ADDRESS + self.peer, [])
            mine.append(now)
            waits = [_doubling(mine, FREE_TRIES, now), self._everyone_wait(attempts, now)]
            if person:
                theirs = attempts.setdefault(PERSON + person, [])
                theirs.append(now)
                waits.append(_doubling(theirs, PIN_FREE_TRIES, now))
            return Verdict(max(waits))

    def wrong_tries(self, within: float = 60) -> int:
        """Wrong tries over all addresses in the last WITHIN seconds (for the figures and tests)."""
        with self._locked() as attempts:
            now = self.clock()
            return sum(
                1 for key, times in attempts.items() if key.startswith(ADDRESS) for t in times if now - t < within
            )

    @staticmethod
    def _everyone_wait(attempts: dict[str, list[float]], now: float) -> float:
        last_minute = sum(
            1 for key, times in attempts.items() if key.startswith(ADDRESS) for t in times if now - t < 60
        )
        return 60.0 if last_minute > ALL_ADDRESSES_PER_MINUTE else 0.0

    @contextmanager
    def _locked(self, write: bool = False) -> Iterator[dict[str, list[float]]]:
        private_folder(self.folder, parents=True)
        fd = os.open(self.folder / "attempts.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            attempts = self._read()
            yield attempts
            if write:
                atomic_write_bytes(self.folder / ATTEMPTS_FILE, json.dumps(attempts).encode("ascii"), mode=PRIVATE_FILE)
        finally:
            os.close(fd)

    def _read(self) -> dict[str, list[float]]:
        now = self.clock()
        try:
            data = loads_json(read_regular_file(self.folder / ATTEMPTS_FILE, 4_000_000))
        except (OSError, UnreadableFile):
            return {}  # a damaged record of failures must not lock everyone out, nor let everyone in long
        if not isinstance(data, dict):
            return {}
        kept = {}
        for key, times in data.items():
            if isinstance(key, str) and key.startswith((ADDRESS, PERSON)) and isinstance(times, list):
                recent = [t for t in times if isinstance(t, (int, float)) and 0 <= now - t < WINDOW]
                if recent:
                    kept[key[:200]] = recent[-KEEP_PER_KEY:]
        # Guessing from very many addresses must not grow the file past what is read back (which
        # would forget every limit): keep the keys tried most recently.
        newest = sorted(kept, key=lambda key: kept[key][-1], reverse=True)[:MAX_KEYS]
        return {key: kept[key] for key in newest}


def _doubling(times: list[float], free: int, now: float) -> float:
    """The wait after the latest of TIMES: none for the first FREE, then FIRST_WAIT doubling."""
    extra = len(times) - free
    return 0.0 if extra <= 0 else float(min(FIRST_WAIT * 2 ** (extra - 1), LONGEST_WAIT))
