"""A session's file: a TinyDB database holding one document, in table "session", written atomically.

`AtomicJSONStorage` has the interface of TinyDB's storages (read, write, close); `encode_database` is
the one place that decides the bytes of a saved file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from facilitator.base.errors import InvalidInput, StorageError
from facilitator.storage import strict_json
from facilitator.storage.atomic import atomic_write_bytes

SESSION_TABLE = "session"


_ASCII_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
_UTF8_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def encode_database(data: dict[str, Any]) -> bytes:
    """The bytes of a database file, exactly as every save writes them: compact JSON in UTF-8.

    Compact, so that the C encoder does the work (an indented file is encoded in pure Python, three
    times slower). Text that is all ASCII is encoded by the ASCII encoder, twice as fast as the
    other on long text and giving the same bytes when nothing needed a \\u escape; anything else
    (accents, emoji, a lone surrogate, which must raise UnicodeEncodeError) goes the UTF-8 way.
    """
    text = _ASCII_ENCODE(data)
    if "\\u" in text:
        text = _UTF8_ENCODE(data)
    return text.encode("utf-8")


class StoredFileError(Exception):
    """A file that cannot be used as a TinyDB database (internal; reported as SessionDamaged)."""


class AtomicJSONStorage:
    """TinyDB storage that replaces its file atomically on every write, always in UTF-8.

    It has the interface of `tinydb.storages.Storage` (read, write, close), so that
    `TinyDB(path, storage=AtomicJSONStorage)` works, without importing TinyDB: the store only ever
    reads or replaces a file's tables whole, so listing and exporting do not load TinyDB at all.

    The last data read or written is kept, together with the file's stat stamp, so the
    read-modify-write that TinyDB does on every change costs no re-parse while nobody else
    has touched the file.
    """

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._cache: dict[str, Any] | None = None
        self._stamp: tuple[Any, ...] | None = None

    def _stat_stamp(self) -> tuple[Any, ...] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def read(self) -> dict[str, Any] | None:
        stamp = self._stat_stamp()
        # What we last read is what is there while nobody else replaced the file.
        if self._cache is not None and stamp == self._stamp:
            return self._cache
        if stamp is None:
            return None
        raw = self.path.read_bytes()
        if not raw.strip():
            raise StoredFileError("the file is empty")
        try:
            data = strict_json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise StoredFileError("the file is not UTF-8 text") from None
        except json.JSONDecodeError as error:
            raise StoredFileError(f"the file is not valid JSON ({error.msg} at line {error.lineno})") from None
        except RecursionError:
            raise StoredFileError("the file is nested too deeply to be a session") from None
        except ValueError as error:  # a number of thousands of digits, for one
            raise StoredFileError(f"the file is not valid JSON ({error})") from None
        if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
            raise StoredFileError("the file is JSON but not a facilitator database")
        self._cache, self._stamp = data, stamp
        return data

    def write(self, data: dict[str, Any]) -> None:
        if self.read_only:
            raise StorageError(f"{self.path.name} is open read-only.")
        self._cache = data
        try:
            payload = encode_database(data)
        except UnicodeEncodeError:
            self._stamp = None  # what is cached was refused: re-read the file next time
            raise InvalidInput("Some text contains a character that cannot be saved (a broken surrogate).") from None
        try:
            atomic_write_bytes(self.path, payload)
        except OSError as error:
            self._stamp = None
            raise StorageError(f"Could not save {self.path.name}: {error.strerror or error}.") from None
        self._stamp = None  # re-read next time: a stat after the rename cannot prove it is still ours

    def close(self) -> None:
        pass
