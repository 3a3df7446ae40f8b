"""Where the store keeps its copy of a data folder in the user's cache (`kept_folder`), and the
salt that makes a copy kept by other code (an upgrade) unusable."""

from __future__ import annotations

import os
from pathlib import Path

# What a summary is made from: a copy made by other code (an upgrade, an edit) is not used.
# Folders below the package, and the files in each: the store, the model, the migrations, the
# scores and the checklists.
_SALTED_BY = (("storage", ".py"), ("domain", ".py"), ("domain/content", ".py"), ("domain/content", ".toml"))


def salted_files() -> list[str]:
    """The source files a summary is made from (`_SALTED_BY`), in a fixed order."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the facilitator package
    found = []
    for folder, suffix in _SALTED_BY:
        try:
            names = os.listdir(os.path.join(here, folder))
        except OSError:
            continue
        found += sorted(os.path.join(here, folder, name) for name in names if name.endswith(suffix))
    return found


def code_salt() -> str:
    """Changes with the source of what makes a summary (`salted_files`): each file's name, size
    and modification time. Any installation or edit writes the files it changes, so their times
    change; stat'ing them costs a tenth of reading and hashing them (and `hashlib`'s import)."""
    parts = []
    for path in salted_files():
        try:
            st = os.stat(path)
        except OSError:
            return ""
        parts.append(f"{os.path.basename(path)}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(parts)


def cache_path(data_dir: Path, kind: str = "folders") -> str | None:
    """Where the store keeps its copy of this data folder (`kept_folder`), or None where it cannot.

    `$XDG_CACHE_HOME/facilitator/<kind>` (else `~/.cache/...`), private (0700), and used only when
    it is ours and nobody else can write to it, like the compiled report templates. The file is
    named by a checksum of the folder's path; the copy names the folder too (two folders with the
    same checksum would only take turns).
    """
    import zlib

    from facilitator.base.user_cache import private_cache_folder

    folder = private_cache_folder(kind)
    if folder is None:
        return None
    try:
        key = os.path.abspath(os.fspath(data_dir)).encode("utf-8", "surrogateescape")
    except (OSError, ValueError):
        return None
    return os.path.join(folder, f"{zlib.crc32(key):08x}{zlib.adler32(key):08x}")


MAX_LINKS_FILES = 16  # data folders whose copies are kept; the least recently written go first
