"""One writer per session: a lock file holding the writer's pid and host.

A second process that wants to write the same session is told who holds it. A lock left by a
killed process on this host (its pid no longer runs) is stale and is taken over.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .atomic import pid_alive
from .errors import SessionLocked


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    since: str
    program: str = ""

    def describe(self) -> str:
        when = self.since[11:16] if len(self.since) >= 16 else self.since
        where = "this computer" if self.host == socket.gethostname() else self.host
        what = self.program or "facilitator"
        return f"{what} (pid {self.pid} on {where}, since {when})"

    @property
    def is_stale(self) -> bool:
        """Only a holder on this host can be checked; one elsewhere is assumed alive."""
        return self.host == socket.gethostname() and not pid_alive(self.pid)


def read_holder(lock_path: Path) -> LockHolder | None:
    try:
        data = json.loads(lock_path.read_text(encoding="utf-8"))
        return LockHolder(int(data["pid"]), str(data["host"]), str(data.get("since", "")),
                          str(data.get("program", "")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        # Unreadable lock (half-written by a kill between create and write): treat as stale.
        return LockHolder(pid=0, host=socket.gethostname(), since="")


class SessionLock:
    """A held lock on one session file. Release it when the session is closed."""

    def __init__(self, lock_path: Path, session_id: str, program: str = "facilitator") -> None:
        self.path = lock_path
        self.session_id = session_id
        self.program = program
        self.held = False

    def acquire(self) -> SessionLock:
        for _attempt in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = read_holder(self.path)
                if holder is None:
                    continue  # released between our two calls: try again
                if holder.pid == os.getpid() and holder.host == socket.gethostname():
                    raise SessionLocked(f"Session {self.session_id} is already open in this window.")
                if holder.is_stale:
                    self._remove_stale(holder)
                    continue
                raise SessionLocked(
                    f"Session {self.session_id} is open in another {holder.describe()}. "
                    f"Close it there first; it can still be viewed and exported here."
                )
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                           "since": datetime.now().isoformat(timespec="seconds"), "program": self.program}, handle)
            self.held = True
            return self
        raise SessionLocked(f"Session {self.session_id} could not be locked; try again.")

    def _remove_stale(self, stale: LockHolder) -> None:
        # Rename first, then check what we moved: if another process recovered the stale lock
        # and took it between our read and our rename, put its fresh lock back.
        grave = self.path.with_name(f"{self.path.name}.stale-{os.getpid()}")
        try:
            os.replace(self.path, grave)
        except OSError:
            return
        moved = read_holder(grave)
        try:
            if moved is not None and moved != stale and not moved.is_stale:
                os.replace(grave, self.path)
            else:
                os.unlink(grave)
        except OSError:
            pass

    def still_ours(self) -> bool:
        holder = read_holder(self.path)
        return holder is not None and holder.pid == os.getpid() and holder.host == socket.gethostname()

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        if self.still_ours():
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def __enter__(self) -> SessionLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
