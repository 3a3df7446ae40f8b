"""One writer per session: a lock file naming the writer (pid, host, program, since when).

Where the platform has `flock` (Linux, macOS, BSD) the lock itself is a kernel lock held on the
open lock file: it ends with the process however the process ends (closed, crashed, killed,
power cut), so a lock left behind is recognised as stale even when its pid has since been reused
by another program (as after a reboot). The file's content only names the holder in messages.
A lock file naming another host is assumed alive, since its process cannot be checked from here.

Elsewhere the lock is the file's existence (created with O_EXCL) and a lock whose pid no longer
runs on this host is stale and taken over.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
import time
from datetime import datetime
from pathlib import Path

from facilitator.base.errors import SessionLocked, StorageError
from facilitator.domain.records import record
from facilitator.storage import strict_json
from facilitator.storage.atomic import pid_alive
from facilitator.storage.plain_files import NotPlainFile, read_plain_file

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# A reader probing the lock (`holder`) holds it shared for a few microseconds; an acquirer that
# meets such a probe retries this many times before reporting the session as taken.
BUSY_RETRIES = 5
BUSY_DELAY = 0.01


@record(frozen=True)
class LockHolder:
    """Who holds a session's lock: the process, its machine and when it took it."""

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

    @property
    def is_us(self) -> bool:
        return self.pid == os.getpid() and self.host == socket.gethostname()


def _parse_holder(raw: bytes) -> LockHolder:
    try:
        data = strict_json.loads(raw.decode("utf-8"))
        pid = data["pid"]
        if type(pid) is not int or not 0 < pid < 2**31:  # os.kill() of 1e300 raises OverflowError
            raise ValueError(pid)
        return LockHolder(pid, str(data["host"]), str(data.get("since", "")), str(data.get("program", "")))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError, OverflowError):
        # Unreadable lock (half-written by a kill between create and write): treat as stale.
        return LockHolder(pid=0, host=socket.gethostname(), since="")


# Open flags of a lock file: never through a link (a link planted where the lock goes would have
# its target truncated and written over), and a FIFO opens at once instead of waiting for a writer.
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
LOCK_BYTES = 4096  # a lock file we wrote is a short line of JSON


def _is_regular(fd: int) -> bool:
    """A FIFO or a device where the lock goes cannot be read or locked as a file."""
    return stat.S_ISREG(os.fstat(fd).st_mode)


def _has_other_names(fd: int) -> bool:
    """A hard link: its other name may be another session, which a lock must never write over
    (it may also be a backup's copy of a live lock: `cp -al` of the data folder)."""
    return os.fstat(fd).st_nlink >= 2  # not == 1: a few network filesystems count none


def read_holder(lock_path: Path) -> LockHolder | None:
    """What the lock file says, or None without one. It may be stale: see `live_holder`."""
    try:
        return _parse_holder(read_plain_file(lock_path, LOCK_BYTES, follow_links=False))
    except FileNotFoundError:
        return None
    except NotPlainFile:
        return LockHolder(pid=0, host=socket.gethostname(), since="")


def live_holder(lock_path: Path) -> LockHolder | None:
    """The process that holds the lock now, or None if nobody does (no file, or a stale one)."""
    if fcntl is None:
        holder = read_holder(lock_path)
        return None if holder is None or holder.is_stale else holder
    try:
        fd = os.open(lock_path, os.O_RDONLY | _NO_FOLLOW)
    except FileNotFoundError:
        return None
    except OSError:
        holder = read_holder(lock_path)
        return None if holder is None or holder.is_stale else holder
    try:
        if not _is_regular(fd):
            return None  # not a lock any facilitator made: nobody holds it (acquire replaces it)
        holder = _parse_holder(_read_fd(fd))
        if holder.host != socket.gethostname():
            return holder  # cannot be checked from here: assumed alive
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return holder  # held: the process is alive
        except OSError:
            return None if holder.is_stale else holder
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None  # nobody holds it: left by a process that ended
    finally:
        os.close(fd)


def _read_fd(fd: int) -> bytes:
    try:
        return os.pread(fd, LOCK_BYTES, 0)
    except OSError:
        return b""  # read as a half-written lock: stale


def _identity(program: str) -> bytes:
    return json.dumps(
        {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now().isoformat(timespec="seconds"),
            "program": program,
        }
    ).encode("utf-8")


class SessionLock:
    """A held lock on one session file. Release it when the session is closed."""

    def __init__(self, lock_path: Path, session_id: str, program: str = "facilitator") -> None:
        self.path = Path(lock_path)
        self.session_id = session_id
        self.program = program
        self.held = False
        self._fd: int | None = None

    def acquire(self) -> SessionLock:
        if self.held:
            return self
        if fcntl is None:
            return self._acquire_exclusive_create()
        for _attempt in range(BUSY_RETRIES):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NO_FOLLOW, 0o600)
            except OSError as error:
                if self._replace_odd_lock(error):
                    continue
                raise self._cannot(error) from None
            if not _is_regular(fd):
                os.close(fd)
                if self._replace_odd_lock(None):
                    continue
                raise self._not_a_lock_file()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _parse_holder(_read_fd(fd))
                os.close(fd)
                if holder.is_us:
                    raise SessionLocked(f"Session {self.session_id} is already open in this window.") from None
                if holder.pid == 0 or holder.is_stale:
                    # Being written by a new holder this instant, or probed by `live_holder`.
                    time.sleep(BUSY_DELAY)
                    continue
                raise self._taken(holder) from None
            except OSError:
                os.close(fd)  # this filesystem has no flock: fall back to the lock file alone
                return self._acquire_exclusive_create()
            try:
                # The file we locked must still be the one at the path: a releasing holder unlinks
                # it while still holding it, and then we locked a file nobody else will look at.
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            holder = _parse_holder(_read_fd(fd))
            if holder.pid and holder.host != socket.gethostname():
                os.close(fd)
                raise self._taken(holder)  # written on another computer sharing this folder
            if _has_other_names(fd):
                # Nobody holds it (we have it locked): drop this name, never write through it, and
                # make the lock afresh. The other name, whatever it is, stays as it was.
                removed = self._replace_odd_lock(None)
                os.close(fd)
                if removed:
                    continue
                raise self._not_a_lock_file()
            try:
                os.ftruncate(fd, 0)
                os.pwrite(fd, _identity(self.program), 0)
            except OSError as error:
                os.close(fd)
                raise self._cannot(error) from None
            self._fd = fd
            self.held = True
            return self
        raise SessionLocked(
            f"Session {self.session_id} is open in another program; close it there first, or try again."
        )

    def _replace_odd_lock(self, error: OSError | None) -> bool:
        """True when what stood at the lock's path was a link, a second name of a file, a FIFO or
        a device, and is now gone (its target untouched), so the lock can be made afresh. `error`:
        why opening it failed (ELOOP for a link), or None when it opened but was not a lock file."""
        if error is not None and error.errno not in (errno.ELOOP, errno.EMLINK):  # EMLINK: FreeBSD's
            return False
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return True
        except OSError:
            return False
        if stat.S_ISDIR(st.st_mode) or (stat.S_ISREG(st.st_mode) and st.st_nlink < 2):
            return False  # a folder is reported; a plain file is a lock, not an odd one
        try:
            os.unlink(self.path)  # a link's name only: what it points to stays as it was
        except OSError:
            return False
        return True

    def _not_a_lock_file(self) -> StorageError:
        return StorageError(
            f"Cannot lock session {self.session_id} for writing: {self.path.name} is not a lock file "
            "facilitator made, and it could not be removed."
        )

    def _cannot(self, error: OSError) -> StorageError:
        return StorageError(f"Cannot lock session {self.session_id} for writing: {error.strerror or error}.")

    def _taken(self, holder: LockHolder) -> SessionLocked:
        return SessionLocked(
            f"Session {self.session_id} is open in another {holder.describe()}. "
            f"Close it there first; it can still be viewed and exported here."
        )

    # -- platforms without flock: the lock is the file's existence ------------------------------

    def _acquire_exclusive_create(self) -> SessionLock:
        for _attempt in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NO_FOLLOW, 0o600)
            except OSError as error:
                if not isinstance(error, FileExistsError):
                    raise self._cannot(error) from None
                holder = read_holder(self.path)
                if holder is None:
                    continue  # released between our two calls: try again
                if holder.is_us:
                    raise SessionLocked(f"Session {self.session_id} is already open in this window.") from None
                if holder.is_stale:
                    self._remove_stale(holder)
                    continue
                raise self._taken(holder) from None
            with os.fdopen(fd, "wb") as handle:
                handle.write(_identity(self.program))
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

    # -- both ------------------------------------------------------------------------------------

    def still_ours(self) -> bool:
        holder = read_holder(self.path)
        return holder is not None and holder.is_us

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        fd, self._fd = self._fd, None
        if fd is None:
            if self.still_ours():
                try:
                    os.unlink(self.path)
                except OSError:
                    pass
            return
        try:
            # Unlink while still holding it, so that nobody can lock the old file after we let go.
            mine, there = os.fstat(fd), os.stat(self.path)
            if (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino):
                os.unlink(self.path)
        except OSError:
            pass
        finally:
            os.close(fd)

    def __enter__(self) -> SessionLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
