"""Reading a file of the data folder without trusting what is there.

Anything may sit where a session file or the index should be: a FIFO (opening it to read would
block for good), a link to `/dev/zero` (reading it would fill the memory), a folder, a file of
gigabytes. Every read here ends in the bytes of a regular file of a bounded size, or in
`NotPlainFile` saying which of those it was.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_SESSION_BYTES = 64 * 1024 * 1024  # a session of 200,000 characters in each of its texts is far less
MAX_INDEX_BYTES = 512 * 1024 * 1024  # about 1.5 million sessions' summaries


class NotPlainFile(Exception):
    """The file is not a regular file, cannot be opened or read, or is larger than allowed."""


def read_plain_file(path: Path | str, limit: int, *, follow_links: bool = True) -> bytes:
    """The bytes of `path` if it is a regular file of at most `limit` bytes. FileNotFoundError when
    there is nothing there; NotPlainFile for anything else that is not such a file."""
    flags = os.O_RDONLY | os.O_NONBLOCK  # a FIFO opens at once instead of waiting for a writer
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise NotPlainFile(f"cannot be opened ({error.strerror or error})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotPlainFile("is not a plain file")
        if st.st_size > limit:  # said before reading: a sparse file of gigabytes reads as zeros
            raise NotPlainFile(f"is too large (over {limit // (1024 * 1024)} MB)")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise NotPlainFile(f"cannot be read ({error.strerror or error})") from None
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise NotPlainFile(f"is too large (over {limit // (1024 * 1024)} MB)")
    return raw
