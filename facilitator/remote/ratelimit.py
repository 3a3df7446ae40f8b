"""Rate limiting of wrong join codes, shared by every participant process of a session.

Each browser connection is its own process, so a limit kept in memory would reset with every
reload. Failures are kept in `<id>.ballots/attempts.json` under a file lock, per address (the
serving process passes the browser's address in FACILITATOR_PEER) and in total, so neither one
persistent guesser nor many addresses at once can try more than a few codes a minute.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..atomic import atomic_write_bytes

ATTEMPTS_FILE = "attempts.json"
WINDOW = 15 * 60  # seconds of memory
FREE_TRIES = 5  # wrong codes per address before it has to wait
FIRST_WAIT = 30  # seconds after the free tries, doubling with each further wrong code
LONGEST_WAIT = 15 * 60
ALL_ADDRESSES_PER_MINUTE = 30  # beyond this, everyone waits a minute: a guess from many addresses


@dataclass(frozen=True)
class Verdict:
    wait: float  # seconds before this address may try again; 0 when it may try now

    @property
    def allowed(self) -> bool:
        return self.wait <= 0


class JoinLimiter:
    def __init__(self, folder: Path, peer: str, clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.peer = peer[:100] or "unknown"
        self.clock = clock

    def check(self) -> Verdict:
        with self._locked() as attempts:
            return self._verdict(attempts, self.clock())

    def record_failure(self) -> Verdict:
        with self._locked(write=True) as attempts:
            now = self.clock()
            attempts.setdefault(self.peer, []).append(now)
            return self._verdict(attempts, now)

    def record_success(self) -> None:
        with self._locked(write=True) as attempts:
            attempts.pop(self.peer, None)

    def _verdict(self, attempts: dict[str, list[float]], now: float) -> Verdict:
        mine = attempts.get(self.peer, [])
        wait = 0.0
        if len(mine) >= FREE_TRIES:
            extra = len(mine) - FREE_TRIES
            wait = max(wait, min(FIRST_WAIT * 2 ** extra, LONGEST_WAIT) - (now - mine[-1]))
        last_minute = sorted(t for times in attempts.values() for t in times if now - t < 60)
        if len(last_minute) >= ALL_ADDRESSES_PER_MINUTE:
            wait = max(wait, 60 - (now - last_minute[-ALL_ADDRESSES_PER_MINUTE]))
        return Verdict(max(0.0, wait))

    @contextmanager
    def _locked(self, write: bool = False) -> Iterator[dict[str, list[float]]]:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / "attempts.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            attempts = self._read()
            yield attempts
            if write:
                atomic_write_bytes(self.folder / ATTEMPTS_FILE, json.dumps(attempts).encode("ascii"))
        finally:
            os.close(fd)

    def _read(self) -> dict[str, list[float]]:
        now = self.clock()
        try:
            data = json.loads((self.folder / ATTEMPTS_FILE).read_bytes()[:1_000_000])
        except (OSError, ValueError):
            return {}  # a damaged record of failures must not lock everyone out, nor let everyone in long
        if not isinstance(data, dict):
            return {}
        kept = {}
        for peer, times in data.items():
            if isinstance(peer, str) and isinstance(times, list):
                recent = [t for t in times if isinstance(t, (int, float)) and 0 <= now - t < WINDOW]
                if recent:
                    kept[peer] = recent[-50:]
        return kept
