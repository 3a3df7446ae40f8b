"""The user's cache folder for things facilitator can always rebuild (compiled templates, the parsed
checklist, the history lookup): `$XDG_CACHE_HOME/facilitator/<name>`, else `~/.cache/facilitator/<name>`.

A cache may hold compiled or marshalled code and data that is loaded without parsing, so a folder is
used only when it is ours and nobody else can write to it; anywhere else (or when it cannot be made)
the caller simply works without a cache.
"""

from __future__ import annotations

import os
import stat


def private_cache_folder(name: str) -> str | None:
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "facilitator", name)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        st = os.stat(folder)
    except (OSError, ValueError):
        return None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        return None
    return folder


def write_quietly(path: str, data: bytes) -> bool:
    """Replace a cache file (through a temporary file, so a reader never sees half of it); a cache
    that cannot be written is no error. Returns whether it was written."""
    import threading

    temp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with open(temp, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
        return True
    except (OSError, ValueError):
        try:
            os.unlink(temp)
        except OSError:
            pass
        return False
