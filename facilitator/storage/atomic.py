"""Atomic file replacement: a crash or power cut at any moment leaves the old file or the new one.

Write a temporary file in the same folder, flush and fsync it, give it the old file's mode, then
`os.replace` it over the target and fsync the folder so the rename itself is durable. Temporary
files carry a recognisable prefix so that ones orphaned by a kill can be swept up on the next start.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

TEMP_PREFIX = ".facilitator-tmp-"
# What the data folder holds is private (scores, comments, join codes, PIN hashes, who met whom):
# new files are readable by their owner only, folders enterable by their owner only.
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
DEFAULT_MODE = PRIVATE_FILE
SHARED_FILE = 0o644  # a document meant to be passed around (an export outside the data folder)


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None, new_mode: int | None = None) -> None:
    """Replace `path` with `data`. The file keeps its mode, or takes `mode`; a new file takes
    `new_mode` (default: private, 0600), less the umask's bits."""
    atomic_write_all([NewFile(Path(path), data, mode, new_mode)])


class NewFile(NamedTuple):
    """A file to replace (`atomic_write_all`): its path, its bytes, and its mode (see
    `atomic_write_bytes`)."""

    path: Path
    data: bytes
    mode: int | None = None
    new_mode: int | None = None


def atomic_write_all(files: Sequence[NewFile]) -> None:
    """Replace several files as one, a sponsor pack say: every new file is written and fsynced
    beside the one it replaces first, and only then are they renamed over them. A failure while
    writing (a disk full, a folder that refuses) replaces none of them and leaves no temporary
    file; only the renames themselves, which take microseconds, come one after the other."""
    import tempfile  # here: `facilitator list` usually writes nothing and need not load it

    for file in files:
        if os.path.isdir(file.path) and not os.path.islink(file.path):  # os.replace would fail there
            raise IsADirectoryError(errno.EISDIR, "a folder is in the way", os.fspath(file.path))
    staged: list[tuple[str, Path]] = []
    renaming = False
    try:
        for file in files:
            path = Path(file.path)
            default = DEFAULT_MODE if file.new_mode is None else file.new_mode
            mode = _mode_for(path, default) if file.mode is None else file.mode
            fd, temp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=".part", dir=path.parent)
            staged.append((temp_name, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(file.data)
                handle.flush()
                os.fsync(handle.fileno())
            # mkstemp creates 0600 files; keep the mode the file had (or the one asked for a new file).
            os.chmod(temp_name, mode)
        renaming = True
        while staged:
            temp_name, path = staged[0]
            os.replace(temp_name, path)
            staged.pop(0)
    except BaseException as error:
        if renaming and isinstance(error, OSError):
            # Failed while renaming: the files before it are replaced already (the caller says so).
            error.replaced = [Path(f.path) for f in files[: len(files) - len(staged)]]  # type: ignore[attr-defined]
        for temp_name, _path in staged:
            try:
                os.unlink(temp_name)
            except OSError:
                pass
        raise
    for folder in dict.fromkeys(Path(file.path).parent for file in files):
        fsync_folder(folder)


def atomic_write_text(path: Path, text: str, mode: int | None = None, new_mode: int | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode, new_mode=new_mode)


def private_folder(path: Path, parents: bool = False, ours: bool = True) -> None:
    """Create a folder only its owner can enter (0700).

    `ours`: a folder only the app uses (the trash, ballots, logs, rescue copies). One already there
    is made private too (an older version made them 0755), and one that is not a folder of this
    user (a name in /tmp someone else took first, a link) is refused with PermissionError. The data
    folder itself (`ours=False`) is the user's: only made private when it is created.
    """
    path = Path(path)
    path.mkdir(mode=PRIVATE_FOLDER, parents=parents, exist_ok=True)
    if not ours:
        return
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        raise PermissionError(errno.EPERM, "not a folder of this user", str(path))
    if stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(path, PRIVATE_FOLDER)


def folder_of_another_user(path: Path) -> str:
    """What makes `path` (an existing folder) someone else's, as the end of a sentence ("belongs to
    another user"); "" when it is this user's. A link is looked at, and what it points to."""
    if not hasattr(os, "getuid"):
        return ""
    me = os.getuid()
    if os.lstat(path).st_uid != me:
        return "is a link another user made" if os.path.islink(path) else "belongs to another user"
    if os.stat(path).st_uid != me:
        return "points to a folder of another user"
    return ""


def fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on folders; the rename is still atomic
    finally:
        os.close(fd)


def sweep_orphans(folder: Path) -> list[Path]:
    """Remove temporary files left behind by a process killed mid-save. Returns what was removed.

    The writer's pid is in each temporary name, so a save in progress in another live process
    is never swept from under it.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX) or not entry.is_file(follow_symlinks=False):
            continue
        pid_text = entry.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        if pid_text.isdigit() and pid_alive(int(pid_text)):
            continue
        try:
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True


def _mode_for(path: Path, new_mode: int = DEFAULT_MODE) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return new_mode & ~current_umask()


def current_umask() -> int:
    """The process umask. Read from /proc where possible: setting it to read it back is not
    thread-safe (a file created meanwhile by another thread would get mode 0666)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask
