"""Compiled templates kept in the user's cache folder, so a document is not compiled again at every
export: at most MAX_COMPILED_TEMPLATES files, each named after what it was compiled from."""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
from pathlib import Path
from typing import Any

import jinja2

from facilitator.reports import markdown

MAX_COMPILED_TEMPLATES = 64  # compiled templates kept in the user's cache; the least recently written go first


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept between runs, so an export does not compile its template anew (25 ms).

    Jinja2 finds a template's entry by name and file path and uses it only when the template's
    source checksum matches, so an edited custom template is compiled again. The key is salted with
    what else shapes the compiled code: Python's and Jinja2's versions (`bc_magic` and the salt),
    and this module and `markdown` (the code generator, the environment's options, the filters).
    Entries are written atomically; a cache that cannot be read or written is simply not used.
    """

    def __init__(self, folder: str, salt: bytes) -> None:
        self.folder = folder
        self.salt = salt

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha256(
            b"\0".join(
                (
                    self.salt,
                    name.encode("utf-8", "surrogateescape"),
                    (filename or "").encode("utf-8", "surrogateescape"),
                )
            )
        ).hexdigest()

    def _header(self, bucket: Any) -> bytes:
        magic: bytes = jinja2.bccache.bc_magic
        checksum: str = bucket.checksum
        return magic + checksum.encode("ascii") + b"\n"

    def load_bytecode(self, bucket: Any) -> None:
        try:
            with open(os.path.join(self.folder, bucket.key), "rb") as handle:
                data = handle.read()
            header = self._header(bucket)
            if data.startswith(header):
                bucket.code = marshal.loads(data[len(header) :])
        except (OSError, EOFError, ValueError, TypeError):
            bucket.reset()  # compiled again, and written anew

    def dump_bytecode(self, bucket: Any) -> None:
        if bucket.code is None:
            return
        from facilitator.base.user_cache import prune, write_quietly

        if write_quietly(os.path.join(self.folder, bucket.key), self._header(bucket) + marshal.dumps(bucket.code)):
            # Each customised template (by path) gets its own entry: without a bound they pile up.
            prune(self.folder, MAX_COMPILED_TEMPLATES)


def compiled_templates() -> _CompiledTemplates | None:
    """The cache of compiled templates in the user's cache folder, or None where there is none.

    `$XDG_CACHE_HOME/facilitator/templates`, else `~/.cache/facilitator/templates`; created
    private (0700), and used only when it is ours and nobody else can write to it: loading compiled
    code from a folder someone else controls would run their code. At most MAX_COMPILED_TEMPLATES
    entries are kept.
    """
    from facilitator.base.user_cache import private_cache_folder

    folder = private_cache_folder("templates")
    if folder is None:
        return None
    return _templates_cache_in(folder)


@functools.lru_cache(maxsize=4)
def _templates_cache_in(folder: str) -> _CompiledTemplates | None:
    try:
        salt = hashlib.sha256(
            b"\0".join((jinja2.__version__.encode(), Path(__file__).read_bytes(), Path(markdown.__file__).read_bytes()))
        ).digest()
    except (OSError, AttributeError, TypeError):
        return None
    return _CompiledTemplates(folder, salt)
