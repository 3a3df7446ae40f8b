"""What `facilitator list --json` and the alliance history keep in the user's cache folder.

For each data folder, a compact copy of what the history needs of every session file (its "links":
status, alliance, follows, problem) with each file's stamp, and the text of the last listing. Both
are used only while every file is still as its stamp says (see `index_file.unchanged`), and only
when made by this very code (`code_salt`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import Any

from facilitator.base.errors import StorageError
from facilitator.storage import index_file
from facilitator.storage.index_file import folder_stat
from facilitator.storage.layout import SESSION_SUFFIX
from facilitator.storage.summaries import SessionSummary

LINKS_FORMAT = 2  # 2: with the code's salt, and a token shared with the kept listing
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


def cache_path(data_dir: Path, kind: str = "links") -> str | None:
    """Where `SessionStore.links()` keeps its copy for this data folder (kind "listings": where
    `listing_json()` keeps its text), or None where it cannot.

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


MAX_LINKS_FILES = 16  # data folders whose links and listing are kept; the least recently written go first


def write_kept(path: str, data: tuple[Any, ...]) -> None:
    import marshal

    from facilitator.base.user_cache import prune, write_quietly

    # Version 2: without the references of later versions, twice as fast to write.
    if write_quietly(path, marshal.dumps(data, 2)):
        prune(os.path.dirname(path), MAX_LINKS_FILES)


def kept_listing(path: str, token: bytes) -> str | None:
    """The listing kept with the links' copy whose token is `token`, else None."""
    import marshal

    try:
        with open(path, "rb") as handle:
            version, kept_token, text = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if version != LINKS_FORMAT or kept_token != token or type(text) is not str:
        return None
    return text


def keep_links(data_dir: Path, cache: str, summaries: list[SessionSummary], checked_ns: int) -> bytes:
    """Keep the links' copy; returns its token (new each time: a listing kept with an earlier
    copy no longer matches)."""
    token = os.urandom(16)
    rows = [
        (s.id, s.inode, s.size, s.mtime_ns, s.ctime_ns, s.status, s.alliance, s.follows, s.problem) for s in summaries
    ]
    write_kept(cache, (LINKS_FORMAT, code_salt(), os.fspath(data_dir), checked_ns - index_file.RACY_NS, token, rows))
    return token


def checked_links(
    data_dir: Path, cache: str, session_names: Callable[[], set[str]]
) -> tuple[list[tuple[Any, ...]], bytes] | None:
    """The links' rows and token, if every file is still as its row says; else None."""
    import marshal

    try:
        with open(cache, "rb") as handle:
            data = marshal.loads(handle.read())
        version, salt, folder, trusted_before, token, rows = data
        if (
            version != LINKS_FORMAT
            or salt != code_salt()
            or folder != os.fspath(data_dir)
            or type(trusted_before) is not int
            or type(token) is not bytes
            or type(rows) is not list
        ):
            return None
        # Every row of the shape `keep_links` writes, checked for all rows at once (a loop over
        # 10,000 rows in Python costs a listing 15 ms): an id and four texts, whose first (the
        # status) is never "newer", since such a file is read again each time (see `unchanged`).
        if set(map(len, rows)) - {9} or set(map(type, chain.from_iterable(row[5:] for row in rows))) - {str}:
            return None
        if set(map(type, (row[0] for row in rows))) - {str} or any(row[5] == "newer" for row in rows):
            return None
        names = session_names()
        if len(names) != len(rows):
            return None
        seen = set()
        with folder_stat(data_dir) as stat:
            for session_id, inode, size, mtime_ns, ctime_ns, *_texts in rows:
                if session_id not in names or session_id in seen:
                    return None
                seen.add(session_id)
                st = stat(session_id + SESSION_SUFFIX)
                if not (
                    st.st_ino == inode
                    and st.st_mtime_ns == mtime_ns
                    and st.st_size == size
                    and st.st_ctime_ns == ctime_ns
                    and ctime_ns < trusted_before
                    and mtime_ns < trusted_before
                ):
                    return None
    except (OSError, EOFError, ValueError, TypeError, StorageError):
        return None
    return rows, token
