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
from .files import UnreadableFile, loads_json, read_regular_file

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

    def attempt(self, correct: Callable[[], bool]) -> tuple[bool, Verdict]:
        """Try a code: (accepted, verdict). Checked and recorded under one lock, so tabs opened at
        once from one address cannot each slip in a guess between the check and the record.

        An address that has used its free tries waits, whatever it types. The limit over all
        addresses only ever slows wrong codes: people typing the right one are never locked out
        because someone else is guessing.
        """
        with self._locked(write=True) as attempts:
            now = self.clock()
            mine = self._own_wait(attempts, now)
            if mine > 0:
                return False, Verdict(mine)
            if correct():
                attempts.pop(self.peer, None)
                return True, Verdict(0.0)
            attempts.setdefault(self.peer, []).append(now)
            return False, Verdict(max(self._own_wait(attempts, now), self._everyone_wait(attempts, now)))

    def check(self) -> Verdict:
        """How long this address must wait before its next try (0 when it may try now)."""
        with self._locked() as attempts:
            return Verdict(self._own_wait(attempts, self.clock()))

    def _own_wait(self, attempts: dict[str, list[float]], now: float) -> float:
        mine = attempts.get(self.peer, [])
        if len(mine) < FREE_TRIES:
            return 0.0
        extra = len(mine) - FREE_TRIES
        return max(0.0, min(FIRST_WAIT * 2 ** extra, LONGEST_WAIT) - (now - mine[-1]))

    def _everyone_wait(self, attempts: dict[str, list[float]], now: float) -> float:
        last_minute = sorted(t for times in attempts.values() for t in times if now - t < 60)
        if len(last_minute) < ALL_ADDRESSES_PER_MINUTE:
            return 0.0
        return max(0.0, 60 - (now - last_minute[-ALL_ADDRESSES_PER_MINUTE]))

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
            data = loads_json(read_regular_file(self.folder / ATTEMPTS_FILE, 1_000_000))
        except (OSError, UnreadableFile):
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
