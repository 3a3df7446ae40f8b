"""The stamps of many files in a folder (size, mtime, inode, ctime), taken in a child process
while the caller goes on.

To trust what it keeps of a data folder, the store stats every session file: at 10,000 files that
is 30-50 ms of system calls here, as long as everything else `facilitator list --json` does. A
short-lived command that will need the stamps a little later (the listing, the scorecard's
history) starts the stat'ing in a forked child, goes on importing and reading, and collects the
stamps when it needs them: on a machine with two cores or more, the stat'ing costs nothing more.

Only where it is safe and worth it: a system with `fork`, a process with one thread (a forked
child of a threaded process can deadlock), more than one core for this process, and enough files.
One child per core, each with a share of the files. Elsewhere, or if a child fails in any way,
the stamps are taken here, when asked for.
"""

from __future__ import annotations

import os
import threading
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path

from facilitator.storage.index_file import folder_stat

STAMP_FIELDS = 4  # size, mtime_ns, inode, ctime_ns; -1 four times for a file that cannot be stat'ed
MIN_FILES_FOR_A_CHILD = 2_000  # below this, a fork (about 1 ms) costs more than it saves
MAX_CHILDREN = 4  # each child costs a fork; beyond this the folder's disk, not the cores, is the limit


def stamps_of(stat: Callable[[str], os.stat_result], names: Sequence[str]) -> array[int]:
    """The stamps of `names` (through `stat`), in order."""
    stamps = array("q")
    try:
        for st in map(stat, names):
            stamps.extend((st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
        return stamps
    except OSError:  # one of them is gone: find which, one at a time
        stamps = array("q")
        for name in names:
            try:
                st = stat(name)
            except OSError:
                stamps.extend((-1, -1, -1, -1))
            else:
                stamps.extend((st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns))
        return stamps


class PendingStamps:
    """The stamps of `names` in `folder`, taken by child processes when that is worth it: one per
    core (at most `MAX_CHILDREN`), each with its share of the names, so that on two cores the
    10,000 stats take half as long."""

    def __init__(self, folder: str, names: Sequence[str]) -> None:
        self.folder, self.names = folder, names
        self._children: list[tuple[int, int, int]] = []  # (pid, read end of its pipe, how many names)
        cores = _cores_to_fork_on() if len(names) >= MIN_FILES_FOR_A_CHILD else 0
        parts = min(cores, MAX_CHILDREN)
        for part in range(parts):
            share = names[len(names) * part // parts : len(names) * (part + 1) // parts]
            child = _start_child(folder, share)
            if child is None:
                break
            self._children.append((*child, len(share)))

    @property
    def in_child(self) -> bool:
        """Whether child processes are taking them (so this one is free meanwhile)."""
        return bool(self._children)

    def result(self) -> array[int]:
        children, self._children = self._children, []
        shares = [_collect(pid, pipe, count) for pid, pipe, count in children]
        if children and sum(len(share) for share in shares if share is not None) == len(self.names) * STAMP_FIELDS:
            stamps = array("q")
            for share in shares:
                if share is not None:
                    stamps.extend(share)
            return stamps
        with folder_stat(Path(self.folder)) as stat:
            return stamps_of(stat, self.names)

    def __del__(self) -> None:  # never collected (an error on the way): no child left behind
        for pid, pipe, count in self._children:
            _collect(pid, pipe, count)


def _cores_to_fork_on() -> int:
    """How many children may stat at once: the cores this process may use, where forking is safe
    (a system with `fork`, a process with one thread: a forked child of a threaded process can
    deadlock) and worth it (more than one core). 0: take the stamps here."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores if cores > 1 else 0


def _start_child(folder: str, names: Sequence[str]) -> tuple[int, int] | None:
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child: stat, send, and leave without running anything of the parent's
        status = 1
        try:
            os.close(read_end)
            with folder_stat(Path(folder)) as stat:
                data = memoryview(stamps_of(stat, names).tobytes())
            while data:
                data = data[os.write(write_end, data) :]
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, pipe: int, count: int) -> array[int] | None:
    """The child's stamps, or None if it did not send them all."""
    chunks = []
    try:
        while chunk := os.read(pipe, 1 << 20):
            chunks.append(chunk)
    except OSError:
        chunks = []
    finally:
        os.close(pipe)
        try:
            _pid, status = os.waitpid(pid, 0)
        except OSError:
            status = 1
    data = b"".join(chunks)
    if status != 0 or len(data) != count * STAMP_FIELDS * 8:
        return None
    stamps = array("q")
    stamps.frombytes(data)
    return stamps
