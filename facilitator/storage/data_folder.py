"""Where the data folder is, and which paths in it the store owns (an export must never overwrite them)."""

from __future__ import annotations

import os
from pathlib import Path

from facilitator.storage.layout import BALLOTS_SUFFIX, INDEX_FILE, LOCK_SUFFIX, SESSION_SUFFIX, TRASH


def default_data_dir() -> Path:
    """The per-user data folder: the same wherever the app is started from.

    `$XDG_DATA_HOME/facilitator/sessions`, else `~/.local/share/facilitator/sessions` (the XDG
    base directory rules: a relative XDG_DATA_HOME is ignored); on Windows under %LOCALAPPDATA%.
    """
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "facilitator" / "sessions"
    xdg = os.environ.get("XDG_DATA_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "facilitator" / "sessions"


def path_below(path: Path, folder_id: tuple[int, int]) -> tuple[str, ...] | None:
    """The parts of `path` below the folder whose (device, inode) is `folder_id`, or None."""
    parts: list[str] = []
    current = path
    while current.parent != current:
        parts.insert(0, current.name)
        current = current.parent
        try:
            st = os.stat(current)
        except OSError:
            continue  # a folder that does not exist (yet) is not the data folder
        if (st.st_dev, st.st_ino) == folder_id:
            return tuple(parts)
    return None


def owned_kind(parts: tuple[str, ...]) -> str | None:
    """What a path below the data folder is, when the store owns it (see `check_output_path`)."""
    first = parts[0].lower()  # a case-insensitive file system takes TRASH for trash
    if len(parts) > 1:
        if first == TRASH:
            return "in the trash"
        if first.endswith(BALLOTS_SUFFIX):
            return "a remote participant's ballot"
        return None
    if first == INDEX_FILE:
        return "the session index"
    if first.endswith(SESSION_SUFFIX):
        return "a session file"
    if first.endswith(".bak"):
        return "a session's backup"
    if first.endswith(LOCK_SUFFIX):
        return "a session's lock file"
    if first.startswith(".") or first in (TRASH,) or first.endswith(BALLOTS_SUFFIX):
        return "a file the app keeps"
    return None


def resolve_data_dir(cli_value: str | None = None) -> Path:
    """--data-dir, else FACILITATOR_DATA_DIR, else the per-user folder; always absolute, so that
    what is shown (and what a lock names) does not depend on where the app was started."""
    value = cli_value or os.environ.get("FACILITATOR_DATA_DIR")
    folder = Path(value).expanduser() if value else default_data_dir()
    return Path(os.path.abspath(folder))


def earlier_default_folder(data_dir: Path) -> Path | None:
    """`./sessions` when it holds sessions and is not `data_dir`: earlier versions saved there by
    default, so a facilitator whose sessions seem gone is told where they are."""
    folder = Path(os.path.abspath("sessions"))
    if folder == Path(os.path.abspath(data_dir)) or not folder.is_dir():
        return None
    try:
        return (
            folder
            if any(path.suffix == SESSION_SUFFIX and path.name != INDEX_FILE for path in folder.iterdir())
            else None
        )
    except OSError:
        return None


def owned_path(data_dir: Path, path: Path | str) -> str | None:
    """What `path` is, when it is a file the data folder owns (see `SessionStore.check_output_path`)."""
    try:
        folder = os.stat(data_dir)
    except OSError:
        return None  # no data folder: nothing in it to protect
    given = Path(os.path.abspath(os.path.expanduser(os.fspath(path))))
    for candidate in (given, Path(os.path.realpath(given))):
        inside = path_below(candidate, (folder.st_dev, folder.st_ino))
        what = owned_kind(inside) if inside else None
        if what:
            return what
    return None


def inside_folder(data_dir: Path, path: Path | str) -> bool:
    """Whether `path` (as given, or with its links resolved) is inside the data folder."""
    try:
        folder = os.stat(data_dir)
    except OSError:
        return False
    given = Path(os.path.abspath(os.path.expanduser(os.fspath(path))))
    return any(
        path_below(candidate, (folder.st_dev, folder.st_ino)) is not None
        for candidate in (given, Path(os.path.realpath(given)))
    )
