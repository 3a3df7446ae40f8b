"""The user's cache folder for things facilitator can always rebuild (compiled templates, the parsed
checklist, the history lookup): `$XDG_CACHE_HOME/facilitator/<name>`, else `~/.cache/facilitator/<name>`.

A cache may hold compiled or marshalled code and data that is loaded without parsing, so a folder is
used only when it is ours and nobody else can write to it; anywhere else (or when it cannot be made)
the caller simply works without a cache.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence


def cache_root() -> str:
    """`$XDG_CACHE_HOME/facilitator`, else `~/.cache/facilitator` (a relative XDG_CACHE_HOME is ignored,
    as the XDG specification asks)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "facilitator")


def private_cache_folder(name: str) -> str | None:
    root = cache_root()
    folder = os.path.join(root, name)
    try:
        # makedirs gives its mode to the last folder only: ours is made private first.
        os.makedirs(root, mode=0o700, exist_ok=True)
        os.makedirs(folder, mode=0o700, exist_ok=True)
        st = os.stat(folder)
    except (OSError, ValueError):
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        return None
    return folder


def write_quietly(path: str, data: bytes | Sequence[bytes | memoryview]) -> bool:
    """Replace a cache file (through a temporary file, so a reader never sees half of it); a cache
    that cannot be written is no error. Returns whether it was written. `data`: the bytes, or
    the parts to write one after the other (a large file is not copied into one buffer first)."""
    import threading

    temp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        # Private like the folder (0600): a cache can hold what the sessions say (the data folder's kept copy).
        with os.fdopen(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
        os.replace(temp, path)
        return True
    except (OSError, ValueError):
        try:
            os.unlink(temp)
        except OSError:
            pass
        return False


def prune(folder: str, keep: int) -> None:
    """Keep only the `keep` most recently written files of a cache folder; best effort.

    Every cache here is keyed by something that can change without end (a data folder's path, a
    customised template's path and text), so each is bounded this way.
    """
    try:
        entries = [e for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
        if len(entries) <= keep:
            return
        entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns)
        for entry in entries[: len(entries) - keep]:
            try:
                os.unlink(entry.path)
            except FileNotFoundError:
                pass  # another process pruned it first
    except OSError:
        pass
