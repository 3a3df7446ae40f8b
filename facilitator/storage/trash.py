"""Nothing is ever erased: deleted and replaced sessions go to `trash/`, migrated ones keep a `.bak`."""

from __future__ import annotations

import os
import stat as stat_module
from pathlib import Path

from facilitator.base.errors import StorageError
from facilitator.storage.atomic import atomic_write_bytes, private_folder
from facilitator.storage.layout import BALLOTS_SUFFIX, SESSION_SUFFIX, TRASH, ballots_dir, session_file


def keep_backup(path: Path) -> Path:
    """Copy the file as it is before a migration to `<id>.json.bak` (same mode: same privacy).

    A backup already there from an earlier migration is kept; this one then gets a
    numbered name. One identical to the file (a migration killed after its backup) is reused.
    """
    try:
        data = path.read_bytes()
        mode = stat_module.S_IMODE(os.stat(path).st_mode)
        backup, n = path.with_name(f"{path.name}.bak"), 2
        while backup.exists():
            if backup.read_bytes() == data:
                return backup
            backup, n = path.with_name(f"{path.name}.{n}.bak"), n + 1
        atomic_write_bytes(backup, data, mode=mode)
    except OSError as error:
        raise StorageError(
            f"Could not back up {path.name} before updating it: {error.strerror or error}. The file is left as it was."
        ) from None
    return backup


def move_to_trash(data_dir: Path, session_id: str, copy: bool = False) -> Path:
    trash = data_dir / TRASH
    source = session_file(data_dir, session_id)
    target = trash / source.name
    n = 2
    while target.exists():
        target = trash / f"{session_id}.{n}{SESSION_SUFFIX}"
        n += 1
    try:
        private_folder(trash)
        if copy:
            atomic_write_bytes(target, source.read_bytes(), mode=stat_module.S_IMODE(os.stat(source).st_mode))
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
        if source.exists() and not destination.exists():
            try:
                os.replace(source, destination)
            except OSError:
                pass
