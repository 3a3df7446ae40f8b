"""Reading the small JSON files of remote scoring without trusting them.

Anything in a ballots folder may be odd: a symlink, a folder or a FIFO where a file should be
(opening a FIFO would block a thread for good), a huge file, deeply nested or huge-number JSON.
Every read here ends in bytes of a regular file, or in `UnreadableFile`; every parse in a value,
or in `UnreadableFile`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from facilitator.storage.plain_files import NotPlainFile, read_plain_file


class UnreadableFile(Exception):
    """The file is missing, is not a plain file, is too large, or is not JSON we accept."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of `path` if it is a regular file (not a link, FIFO or folder) of at most `limit` bytes."""
    try:
        return read_plain_file(path, limit, follow_links=False)
    except NotPlainFile as problem:
        raise UnreadableFile(str(problem)) from None


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def loads_json(raw: bytes) -> Any:
    """Parse JSON; NaN/Infinity, numbers too long to convert and nesting bombs are refused, not raised."""
    try:
        return json.loads(raw, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError, OverflowError):
        raise UnreadableFile("is not valid JSON") from None
