"""Nothing is ever erased: deleted and replaced sessions go to `trash/`, migrated ones keep a `.bak`."""

from __future__ import annotations

import os
import stat as stat_module
from pathlib import Path

from facilitator.base.errors import StorageError
from facilitator.storage.atomic import atomic_write_bytes, private_folder
from facilitator.storage.layout import BALLOTS_SUFFIX, SESSION_SUFFIX, TRASH, ballots_dir, session_file
from facilitator.storage.plain_files import MAX_SESSION_BYTES, NotPlainFile, read_plain_file


def keep_backup(path: Path) -> Path:
    """Copy the file as it is before a migration to `<id>.json.bak` (same mode: same privacy).

    A backup already there from an earlier migration is kept; this one then gets a
    numbered name. One identical to the file (a migration killed after its backup) is reused.
    """
    try:
        data = read_plain_file(path, MAX_SESSION_BYTES)
        mode = stat_module.S_IMODE(os.stat(path).st_mode)
        backup, n = path.with_name(f"{path.name}.bak"), 2
        while os.path.lexists(backup):  # whatever it is: a FIFO there must not be read, nor a link followed
            if _plain_bytes(backup) == data:
                return backup
            backup, n = path.with_name(f"{path.name}.{n}.bak"), n + 1
        atomic_write_bytes(backup, data, mode=mode)
    except NotPlainFile as problem:
        raise StorageError(f"Could not back up {path.name} before updating it: it {problem}.") from None
    except OSError as error:
        raise StorageError(
            f"Could not back up {path.name} before updating it: {error.strerror or error}. The file is left as it was."
        ) from None
    return backup


def _plain_bytes(path: Path) -> bytes | None:
    """The bytes of a regular file of a session's size, or None for anything else."""
    try:
        return read_plain_file(path, MAX_SESSION_BYTES, follow_links=False)
    except (NotPlainFile, FileNotFoundError):
        return None


def move_to_trash(data_dir: Path, session_id: str, copy: bool = False) -> Path:
    """Move `<id>.json` into the trash, or (`copy`: it is about to be replaced) copy it there.

    What stands there instead of a session file (a link to a drive not connected, a FIFO, a
    folder) is moved, never read: reading a FIFO would wait for good, a link to /dev/zero fill
    the memory."""
    trash = data_dir / TRASH
    source = session_file(data_dir, session_id)
    target = trash / source.name
    n = 2
    while os.path.lexists(target):
        target = trash / f"{session_id}.{n}{SESSION_SUFFIX}"
        n += 1
    try:
        private_folder(trash)
        data = _plain_bytes(source) if copy else None
        if data is not None:
            atomic_write_bytes(target, data, mode=stat_module.S_IMODE(os.stat(source).st_mode))
        else:
            os.replace(source, target)
    except OSError as error:
        raise StorageError(f"Could not move {source.name} to the trash: {error.strerror or error}.") from None
    return target


def move_companions_to_trash(data_dir: Path, session_id: str, target: Path) -> None:
    """What belongs to a deleted session goes with it: its migration backup and remote ballots.

    They take the trashed file's name (`<name>.bak`, `<name-without-.json>.ballots`), so a
    session deleted twice keeps each one's companions apart. Best effort: the session itself
    is already in the trash, and a companion left behind harms nothing.
    """
    companions = [
        (data_dir / f"{session_id}{SESSION_SUFFIX}.bak", target.with_name(target.name + ".bak")),
        (ballots_dir(data_dir, session_id), target.with_name(target.stem + BALLOTS_SUFFIX)),
    ]
    for source, destination in companions:
        if os.path.lexists(source) and not os.path.lexists(destination):
            try:
                os.replace(source, destination)
            except OSError:
                pass
