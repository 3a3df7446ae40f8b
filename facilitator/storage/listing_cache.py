"""Where the store keeps its copy of a data folder in the user's cache (`kept_folder`), and the
salt that makes a copy kept by other code (an upgrade) unusable."""

from __future__ import annotations

import os
from pathlib import Path

# What a summary is made from: a copy made by other code (an upgrade) is not used.
# Paths below the package: the store, the model, the migrations, the scores and the checklists.
_SALTED_BY = ("storage/*.py", "domain/*.py", "domain/content/__init__.py", "domain/content/checklist-*.toml")


def salted_files() -> list[str]:
    """The source files a summary is made from (`_SALTED_BY`), in a fixed order."""
    import glob

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the facilitator package
    return [path for pattern in _SALTED_BY for path in sorted(glob.glob(os.path.join(here, pattern)))]


def code_salt() -> str:
    """Changes with the source of what makes a summary (`salted_files`)."""
    import hashlib

    digest = hashlib.sha256()
    for path in salted_files():
        try:
            with open(path, "rb") as handle:
                digest.update(handle.read())
        except OSError:
            return ""
    return digest.hexdigest()[:16]


def cache_path(data_dir: Path, kind: str = "folders") -> str | None:
    """Where the store keeps its copy of this data folder (`kept_folder`), or None where it cannot.

    `$XDG_CACHE_HOME/facilitator/<kind>` (else `~/.cache/...`), private (0700), and used only when
    it is ours and nobody else can write to it, like the compiled report templates.
    """
    import hashlib

    from facilitator.base.user_cache import private_cache_folder

    folder = private_cache_folder(kind)
    if folder is None:
        return None
    try:
        key = os.path.abspath(os.fspath(data_dir)).encode("utf-8", "surrogateescape")
    except (OSError, ValueError):
        return None
    return os.path.join(folder, hashlib.sha256(key).hexdigest()[:32])


MAX_LINKS_FILES = 16  # data folders whose copies are kept; the least recently written go first
